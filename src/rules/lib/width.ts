/** Width of a line on screen, tabs expanding to the next multiple of 8 (as checkpatch counts). */
export function visualWidth(text: string): number {
  let width = 0;
  for (const ch of text) width = ch === '\t' ? width + 8 - (width % 8) : width + 1;
  return width;
}
