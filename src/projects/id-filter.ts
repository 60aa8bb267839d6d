/** Which session ids of a project are watched: `include` globs (all when absent) minus `exclude` globs. */
export type IdFilter = (id: string) => boolean;

/**
 * A glob as a regular expression: `*` any run of characters, `?` exactly one, everything else literal.
 * Ids are short and patterns few, so a compiled RegExp per glob is all the matcher needs.
 */
export function compileGlob(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\*?-]/g, (char) =>
    char === "*" ? ".*" : char === "?" ? "." : `\\${char}`,
  );
  return new RegExp(`^${body}$`, "s");
}

export function createIdFilter(include: readonly string[] | undefined, exclude: readonly string[]): IdFilter {
  const included = include?.map(compileGlob);
  const excluded = exclude.map(compileGlob);
  return (id) =>
    (included === undefined || included.some((glob) => glob.test(id))) &&
    !excluded.some((glob) => glob.test(id));
}
