import { toneOf, type Tone } from '../model/workers.ts';

export function Badge({ text, tone, title }: { text: string; tone?: Tone; title?: string }) {
  return (
    <span className={`badge tone-${tone ?? toneOf(text)}`} title={title}>
      {text}
    </span>
  );
}
