export const SERVE_HELP = 'todo';
export async function serve(_a: readonly string[]): Promise<number> { return 1; }
