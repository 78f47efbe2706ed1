/** "Did you mean" suggestions for misspelled names in the loss and metric registries. */

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/** The closest known name, compared case- and separator-insensitively, or undefined when nothing is close. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_\s-]/g, '');
  const target = norm(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(target, norm(k));
    if (d < bestDistance) { bestDistance = d; best = k; }
  }
  return bestDistance <= Math.max(2, Math.floor(target.length / 3)) ? best : undefined;
}

/** `Unknown loss 'x'. Did you mean 'y'? Valid names: ...` */
export function unknownNameError(kind: string, name: string, known: readonly string[]): Error {
  const guess = closestName(name, known);
  const hint = guess ? ` Did you mean '${guess}'?` : '';
  return new Error(`Unknown ${kind} '${name}'.${hint} Valid names: ${known.map((k) => `'${k}'`).join(', ')}`);
}
