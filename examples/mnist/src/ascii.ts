/** Renders 28x28 digits as text art, `perRow` side by side, each with a caption underneath. */
const SHADES = ' .:-=+*#%@';

export function renderDigits(images: Float32Array[], captions: string[], perRow = 2, width = 28): string {
  const blocks: string[] = [];
  for (let first = 0; first < images.length; first += perRow) {
    const group = images.slice(first, first + perRow);
    const rows: string[] = [];
    for (let y = 0; y < width; y += 2) {
      // Two pixel rows per text row: terminal cells are about twice as tall as wide.
      rows.push(group.map((img) => {
        let line = '';
        for (let x = 0; x < width; x++) {
          const v = Math.max(img[y * width + x]!, img[Math.min(width - 1, y + 1) * width + x]!);
          line += SHADES[Math.min(SHADES.length - 1, Math.floor(v * SHADES.length))];
        }
        return `|${line}|`;
      }).join('   ').trimEnd());
    }
    rows.push(captions.slice(first, first + perRow).map((c) => ` ${c}`.padEnd(width + 2)).join('   ').trimEnd());
    blocks.push(rows.join('\n'));
  }
  return blocks.join('\n\n');
}
