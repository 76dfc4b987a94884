// metav1.Time as the API serialises it: RFC 3339 in UTC with whole seconds.

export function metaTime(t: number | Date = Date.now()): string {
  return (typeof t === 'number' ? new Date(t) : t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime as the API serialises it: RFC 3339 in UTC with microseconds. */
export function metaMicroTime(t: number | Date = Date.now()): string {
  return (typeof t === 'number' ? new Date(t) : t).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
