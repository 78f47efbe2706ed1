/** Renders 28x28 digits as text, a few side by side, with labels underneath. */
const SHADES = ' .:-=+*#%@';

export function renderDigits(images: Float32Array[], captions: string[], width = 28): string {
  const rows: string[] = [];
  for (let y = 0; y < width; y += 2) {
    // Two pixel rows per text row keeps the aspect ratio close to square in a terminal.
    rows.push(images.map((img) => {
      let line = '';
      for (let x = 0; x < width; x++) {
        const v = Math.max(img[y * width + x]!, img[Math.min(width - 1, y + 1) * width + x]!);
        line += SHADES[Math.min(SHADES.length - 1, Math.floor(v * SHADES.length))];
      }
      return line;
    }).join('  '));
  }
  rows.push(captions.map((c) => c.padEnd(width)).join('  '));
  return rows.join('\n');
}
