/** What `bench` reports while it runs (the CLI shows these as progress lines on stderr). */

export type BenchSection = 'encode' | 'load' | 'upload' | 'queue' | 'presets';

export type BenchEvent =
  | { type: 'bench-section'; section: BenchSection; description: string }
  | { type: 'bench-section-skipped'; section: BenchSection; reason: string }
  | { type: 'bench-sample'; path: string; width: number; height: number; durationSeconds: number }
  | { type: 'encode-run'; strategy: string; run: number; runs: number; wallSeconds: number; ok: boolean; error?: string | undefined }
  | { type: 'load-job'; job: number; jobs: number; done: number; ok: boolean; wallSeconds: number; speed: number | undefined; error?: string | undefined }
  | { type: 'upload-run'; tool: 'hlsify' | 'aws'; run: number; runs: number; seconds: number; mbps: number; cpuSeconds?: number | undefined }
  | { type: 'queue-progress'; published: number; started: number; finished: number; jobs: number }
  | { type: 'bench-note'; message: string }
  | { type: 'preset-run'; preset: string; step: number; steps: number; ok: boolean; speed: number | undefined; ssim: number | undefined; psnr: number | undefined; error?: string | undefined };

export type BenchListener = (event: BenchEvent) => void;
