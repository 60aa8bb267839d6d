/**
 * A small JSON Schema (2020-12) validator for the keywords watchlist.schema.json uses, so tests can
 * see what an editor would flag without a validator package. An unknown keyword fails loudly.
 */
type Schema = { [keyword: string]: unknown } | boolean;

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "id", "title", "description", "format", "default"]);

const isObject = (data: unknown): data is Record<string, unknown> =>
  data !== null && typeof data === "object" && !Array.isArray(data);

export function isValidAgainst(root: { [keyword: string]: unknown }, value: unknown): boolean {
  const defs = (root.$defs ?? {}) as Record<string, Schema>;

  const valid = (schema: Schema, data: unknown): boolean => {
    if (typeof schema === "boolean") return schema;
    return Object.entries(schema).every(([keyword, arg]) => keywordHolds(schema, keyword, arg, data));
  };

  const keywordHolds = (
    schema: Record<string, unknown>,
    keyword: string,
    arg: unknown,
    data: unknown,
  ): boolean => {
    if (ANNOTATIONS.has(keyword)) return true;
    switch (keyword) {
      case "$ref": {
        const target = defs[String(arg).replace(/^#\/\$defs\//, "")];
        if (target === undefined) throw new Error(`unknown $ref ${String(arg)}`);
        return valid(target, data);
      }
      case "type":
        return (Array.isArray(arg) ? arg : [arg]).some((type) => {
          if (type === "integer") return Number.isInteger(data);
          if (type === "null") return data === null;
          if (type === "array") return Array.isArray(data);
          if (type === "object") return isObject(data);
          return typeof data === type;
        });
      case "enum":
        return (arg as unknown[]).some((option) => JSON.stringify(option) === JSON.stringify(data));
      case "const":
        return JSON.stringify(arg) === JSON.stringify(data);
      case "pattern":
        return typeof data !== "string" || new RegExp(String(arg), "u").test(data);
      case "minLength":
        return typeof data !== "string" || [...data].length >= Number(arg);
      case "minimum":
        return typeof data !== "number" || data >= Number(arg);
      case "maximum":
        return typeof data !== "number" || data <= Number(arg);
      case "exclusiveMinimum":
        return typeof data !== "number" || data > Number(arg);
      case "minItems":
        return !Array.isArray(data) || data.length >= Number(arg);
      case "items":
        return !Array.isArray(data) || data.every((item) => valid(arg as Schema, item));
      case "required":
        return !isObject(data) || (arg as string[]).every((key) => key in data);
      case "properties":
        return (
          !isObject(data) ||
          Object.entries(arg as Record<string, Schema>).every(
            ([key, sub]) => !(key in data) || valid(sub, data[key]),
          )
        );
      case "additionalProperties": {
        if (!isObject(data)) return true;
        const known = Object.keys((schema.properties ?? {}) as object);
        return Object.keys(data)
          .filter((key) => !known.includes(key))
          .every((key) => valid(arg as Schema, data[key]));
      }
      case "propertyNames":
        return !isObject(data) || Object.keys(data).every((key) => valid(arg as Schema, key));
      case "dependentRequired":
        return (
          !isObject(data) ||
          Object.entries(arg as Record<string, string[]>).every(
            ([key, needed]) => !(key in data) || needed.every((other) => other in data),
          )
        );
      case "allOf":
        return (arg as Schema[]).every((sub) => valid(sub, data));
      case "anyOf":
        return (arg as Schema[]).some((sub) => valid(sub, data));
      case "oneOf":
        return (arg as Schema[]).filter((sub) => valid(sub, data)).length === 1;
      case "not":
        return !valid(arg as Schema, data);
      default:
        throw new Error(`json-schema-check does not know the keyword "${keyword}"`);
    }
  };

  return valid(root, value);
}
