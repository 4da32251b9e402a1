/** Small helpers shared by the bench measurements. */

/** The one-line message of anything thrown. */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
