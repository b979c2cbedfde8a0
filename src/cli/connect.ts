export const CONNECT_HELP = 'todo';
export async function connectCommand(_a: readonly string[]): Promise<number> { return 1; }
