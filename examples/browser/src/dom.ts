/** Small DOM helpers shared by the two demos. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`browser demo: the page has no element #${id}`);
  return el as T;
}

export function percent(v: number, digits = 1): string {
  return `${(v * 100).toFixed(digits)}%`;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
