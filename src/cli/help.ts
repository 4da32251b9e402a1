/**
 * What every `--help` shares: defaults written one way, `(default: X)` (commander's own display quotes
 * strings and some descriptions said "(default X)"), and 2-3 examples at the end.
 */
import type { Command, Option } from 'commander';

/** Examples per command, as a user would type them. A new command adds its own here. */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  hlsify: ['hlsify transcode input.mp4', 'hlsify upload input-hls s3://my-bucket/videos/input', 'hlsify transcode --help'],
  transcode: [
    'hlsify transcode input.mp4                      # → input-hls/ beside the input',
    'hlsify transcode input.mp4 -o out --ladder 720,360 --segment-type fmp4',
    'hlsify transcode lecture.mp4 --chunk-seconds 60 --parallel 4 --upload s3://my-bucket/videos/lecture',
  ],
  upload: [
    'hlsify upload input-hls s3://my-bucket/videos/input',
    'hlsify upload input-hls s3://videos/input --endpoint http://127.0.0.1:9000 --dry-run',
    'hlsify upload input-hls s3://my-bucket/videos/input --concurrency 16 --json',
  ],
  cleanup: ['hlsify cleanup --dry-run', 'hlsify cleanup --older-than 30m --tmp-dir /var/tmp/hlsify'],
  bench: ['hlsify bench', 'hlsify bench --duration 2 --resolution 320x240 --runs 1 --jobs 2 --skip upload,queue --json', 'hlsify bench --input clip.mp4 --skip queue'],
  preview: ['hlsify preview input-hls', 'hlsify preview input-hls/master.m3u8 --port 0 --open', 'hlsify transcode input.mp4 --preview'],
  consume: [
    'hlsify consume',
    'hlsify consume --amqp amqp://user:pass@rabbit:5672 --queue videos --concurrency 2',
    'hlsify consume --endpoint http://127.0.0.1:9000 --chunk-seconds 60 --chunk-min-duration 20m',
  ],
  submit: [
    'hlsify submit s3://media/in/talk.mp4 --output s3://media/hls/talk --amqp amqp://guest:guest@127.0.0.1:5672',
    'hlsify submit ./talk.mp4 --staging s3://media/incoming --output s3://media/hls/talk --ladder 720,360 --wait',
    'hlsify submit s3://media/in/film.mp4 --output s3://media/hls/film --chunk-seconds 60 --webhook https://example.com/hooks/hls --json',
  ],
  verify: ['hlsify verify input-hls', 'hlsify verify out/master.m3u8 --quick', 'hlsify verify https://cdn.example.com/videos/42/master.m3u8 --json'],
};

/** Every default as `(default: X)`, unquoted. */
export function describeOption(option: Option): string {
  const base = option.description
    .replace(/\(default (?!:)/g, '(default: ')
    .replace(/; default (?!:)/g, '; default: ')
    // Environment first, then the default: "(env NAME; default: X)".
    .replace(/\(default: ([^;()]*); (env [^()]*)\)/g, '($2; default: $1)');
  const fromCommander = option.defaultValueDescription ?? (option.defaultValue === undefined || typeof option.defaultValue === 'boolean' ? undefined : String(option.defaultValue));
  if (fromCommander === undefined || option.negate) return base;
  return `${base} (default: ${fromCommander})`;
}

function examplesText(name: string): string {
  const examples = EXAMPLES[name];
  return examples ? `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}\n` : '';
}

/** Applies the help conventions to the program and its commands (call after registering them). */
export function applyHelpConventions(program: Command): void {
  for (const command of [program, ...program.commands]) {
    command.configureHelp({ optionDescription: describeOption });
    command.addHelpText('after', examplesText(command.name()));
  }
}
