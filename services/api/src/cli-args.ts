// The CLI's parsed options, shared by the command modules without importing one another.
export type Args = Record<string, string | boolean | string[] | undefined>;
