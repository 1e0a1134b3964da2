/**
 * Keras's checkpoint path placeholders: the part of Python's str.format that paths use.
 * `{epoch}`, `{epoch:02d}` (d: integers, zero or space padded to a width), `{val_loss:.4f}` and
 * `{loss:8.2f}` (f: fixed decimals, 6 by default as Python's), and `{{` / `}}` for braces.
 * Parsed once, so a bad placeholder is an error when the callback is made, not epochs later.
 */
import { ArgumentError } from '../errors';
import { describe } from '../format';

interface Field {
  name: string;
  zeroPad: boolean;
  width: number;
  precision: number | null;
  type: 'd' | 'f' | '';
  text: string;
}

export class PathTemplate {
  private readonly pieces: (string | Field)[] = [];

  /** `argument` names the template in messages, e.g. "modelCheckpoint options.filepath". */
  constructor(readonly template: string, private readonly argument: string) {
    const bad = (why: string) => new ArgumentError(`${argument}: ${why} in ${JSON.stringify(template)}`);
    let text = '';
    for (let i = 0; i < template.length; i++) {
      const c = template[i];
      if ((c === '{' || c === '}') && template[i + 1] === c) {
        text += c;
        i++;
      } else if (c === '}') {
        throw bad(`a single '}' (write '}}' for a brace)`);
      } else if (c === '{') {
        const end = template.indexOf('}', i);
        if (end < 0) throw bad(`an unclosed '{' (write '{{' for a brace)`);
        if (text) this.pieces.push(text);
        text = '';
        this.pieces.push(parseField(template.slice(i, end + 1), bad));
        i = end;
      } else {
        text += c;
      }
    }
    if (text) this.pieces.push(text);
  }

  /** The names the template uses. */
  get names(): string[] {
    return this.pieces.flatMap((p) => (typeof p === 'string' ? [] : [p.name]));
  }

  /** The path for these values (Keras: the epoch, 1-based, and the logs). */
  format(values: Record<string, number>): string {
    return this.pieces.map((p) => {
      if (typeof p === 'string') return p;
      const v = values[p.name];
      if (v === undefined) {
        throw new ArgumentError(`${this.argument}: ${p.text} names no value of this epoch; the values are ${Object.keys(values).join(', ')} (template ${JSON.stringify(this.template)})`);
      }
      return formatField(p, v, this.argument);
    }).join('');
  }
}

function parseField(text: string, bad: (why: string) => ArgumentError): Field {
  const inner = text.slice(1, -1);
  const colon = inner.indexOf(':');
  const name = colon < 0 ? inner : inner.slice(0, colon);
  const spec = colon < 0 ? '' : inner.slice(colon + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw bad(`${text} must name a value (epoch, batch or a log such as val_loss)`);
  const m = /^(0)?(\d+)?(?:\.(\d+))?([df])?$/.exec(spec);
  if (!m) throw bad(`${text}: format spec ${JSON.stringify(spec)} is not one of the supported forms (d, 02d, .4f, 8.2f)`);
  const type = (m[4] ?? '') as Field['type'];
  const precision = m[3] === undefined ? null : Number(m[3]);
  if (precision !== null && type !== 'f') throw bad(`${text}: a precision needs the f type (e.g. .4f)`);
  return { name, zeroPad: m[1] !== undefined, width: m[2] === undefined ? 0 : Number(m[2]), precision, type, text };
}

function formatField(f: Field, v: number, argument: string): string {
  if (f.type === 'd' && !Number.isSafeInteger(v)) throw new ArgumentError(`${argument}: ${f.text} needs an integer, got ${describe(v)} (use a form like .4f)`);
  const negative = v < 0 || Object.is(v, -0);
  const magnitude = Math.abs(v);
  let body: string;
  if (Number.isNaN(v)) body = 'nan';
  else if (!Number.isFinite(v)) body = 'inf';
  else if (f.type === 'f') body = magnitude.toFixed(f.precision ?? 6);
  else body = String(magnitude);
  const sign = negative && !Number.isNaN(v) ? '-' : '';
  // Python pads numbers on the left, zeros going after the sign.
  return f.zeroPad ? sign + body.padStart(f.width - sign.length, '0') : (sign + body).padStart(f.width, ' ');
}
