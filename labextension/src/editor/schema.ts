// Reading the JSON Schema that Python sends in `block_schema` (pydantic's output for the
// sequence): follow `$ref`s into `$defs`, pick the block variant by its `type`, and sort
// each property into the kind of control that edits it.
import { isRecord } from "./tree";

export type JsonSchema = Record<string, unknown>;

export type FieldKind =
  | "const" // the type tag: not editable
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "enum"
  | "object" // a nested model (retry policy...): a fieldset
  | "primitive-array"
  | "blocks" // a list of child blocks: the canvas edits it
  | "single-block" // one child block (saga action/compensation)
  | "lanes" // a list of lanes (branches, routes, variants, saga steps)
  | "json"; // anything else: a JSON textarea

export interface FieldSpec {
  key: string;
  schema: JsonSchema; // resolved, with the `null` alternative removed
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  title: string;
  description: string;
}

const MAX_REF_HOPS = 32;

export function resolve(root: JsonSchema, schema: unknown): JsonSchema {
  let node: unknown = schema;
  for (let hop = 0; hop < MAX_REF_HOPS && isRecord(node) && typeof node.$ref === "string"; hop++) {
    const { $ref, ...rest } = node;
    const target = lookup(root, $ref as string);
    // Siblings of $ref (description, default) win over the target's own.
    node = isRecord(target) ? { ...target, ...rest } : rest;
  }
  return isRecord(node) ? node : {};
}

function lookup(root: JsonSchema, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = isRecord(node) ? node[key] : undefined;
  }
  return node;
}

/** The Block union: the root itself when Python sent a block schema, else `$defs.Block`. */
function blockUnion(root: JsonSchema): JsonSchema | null {
  if (isDiscriminated(root)) return root;
  const defs = isRecord(root.$defs) ? root.$defs : {};
  if (isRecord(defs.Block)) return defs.Block;
  const found = Object.values(defs).find((d) => isRecord(d) && isDiscriminated(d));
  return isRecord(found) ? found : null;
}

function isDiscriminated(schema: JsonSchema): boolean {
  return isRecord(schema.discriminator) && schema.discriminator.propertyName === "type";
}

/** The object schema of the block variant whose `type` is `type`, or null. */
export function blockVariant(root: JsonSchema, type: string): JsonSchema | null {
  const union = blockUnion(root);
  if (union === null) return null;
  const mapping = isRecord(union.discriminator) ? union.discriminator.mapping : undefined;
  if (isRecord(mapping) && typeof mapping[type] === "string") {
    return resolve(root, { $ref: mapping[type] });
  }
  const options = Array.isArray(union.oneOf) ? union.oneOf : [];
  for (const option of options) {
    const variant = resolve(root, option);
    const tag = isRecord(variant.properties) ? resolve(root, variant.properties.type) : {};
    if (tag.const === type) return variant;
  }
  return null;
}

function isBlockSchema(root: JsonSchema, schema: unknown): boolean {
  if (isRecord(schema) && typeof schema.$ref === "string" && schema.$ref.endsWith("/Block")) return true;
  return isDiscriminated(resolve(root, schema));
}

/** Drops a `null` alternative: `anyOf: [X, {type: null}]` becomes X, marked nullable. */
export function unwrapNullable(root: JsonSchema, schema: unknown): { schema: JsonSchema; nullable: boolean } {
  const resolved = resolve(root, schema);
  const options = Array.isArray(resolved.anyOf) ? resolved.anyOf : null;
  if (options === null) return { schema: resolved, nullable: false };
  const rest = options.filter((o) => !(isRecord(o) && o.type === "null"));
  if (rest.length !== 1 || rest.length === options.length) return { schema: resolved, nullable: false };
  const { anyOf: _drop, ...outer } = resolved;
  const inner = resolve(root, rest[0]);
  return { schema: { ...inner, ...pick(outer, ["description", "title", "default"]) }, nullable: true };
}

function pick(obj: JsonSchema, keys: string[]): JsonSchema {
  return Object.fromEntries(keys.filter((k) => k in obj).map((k) => [k, obj[k]]));
}

/** Whether child blocks live anywhere under `schema` (so the canvas, not the form, owns it). */
function holdsBlocks(root: JsonSchema, schema: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  if (isBlockSchema(root, schema)) return true;
  const s = unwrapNullable(root, schema).schema;
  if (s.type === "array") return holdsBlocks(root, s.items, depth + 1);
  if (isRecord(s.properties)) {
    return Object.values(s.properties).some((p) => holdsBlocks(root, p, depth + 1));
  }
  return false;
}

const PRIMITIVES = ["string", "integer", "number", "boolean"];

export function classify(root: JsonSchema, schema: JsonSchema): FieldKind {
  if ("const" in schema) return "const";
  if (isBlockSchema(root, schema)) return "single-block";
  if (schema.type === "array") {
    if (isBlockSchema(root, schema.items)) return "blocks";
    if (holdsBlocks(root, schema.items)) return "lanes";
    const items = resolve(root, schema.items);
    return typeof items.type === "string" && PRIMITIVES.includes(items.type) ? "primitive-array" : "json";
  }
  if (Array.isArray(schema.enum)) return "enum";
  if (typeof schema.type === "string" && PRIMITIVES.includes(schema.type)) {
    return schema.type as FieldKind;
  }
  if (schema.type === "object" && isRecord(schema.properties)) return "object";
  return "json";
}

/** The properties of an object schema, in schema order, ready to draw. */
export function fieldsOf(root: JsonSchema, objectSchema: JsonSchema): FieldSpec[] {
  const props = isRecord(objectSchema.properties) ? objectSchema.properties : {};
  const required = Array.isArray(objectSchema.required) ? objectSchema.required : [];
  return Object.entries(props).map(([key, raw]) => {
    const { schema, nullable } = unwrapNullable(root, raw);
    // Only the property's own title: a $ref target's title is a class name ("RetryPolicy").
    const ownTitle = isRecord(raw) && typeof raw.title === "string" ? raw.title : null;
    return {
      key,
      schema,
      kind: classify(root, schema),
      required: required.includes(key),
      nullable,
      title: ownTitle ?? humanize(key),
      description: typeof schema.description === "string" ? schema.description : "",
    };
  });
}

/** `wait_for_input` -> "Wait For Input", the way pydantic titles the other fields. */
function humanize(key: string): string {
  return key
    .split("_")
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
}

/** A starting value for a field the user switches on (e.g. adding a retry policy). */
export function defaultFor(root: JsonSchema, raw: unknown): unknown {
  const schema = unwrapNullable(root, raw).schema;
  if (schema.default !== undefined && schema.default !== null) return JSON.parse(JSON.stringify(schema.default));
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case "integer":
    case "number":
      return lowerBound(schema);
    case "string":
      return "";
    case "boolean":
      return false;
    case "array":
      return [];
    case "object": {
      const out: Record<string, unknown> = {};
      for (const field of fieldsOf(root, schema)) {
        if (field.required) out[field.key] = defaultFor(root, field.schema);
      }
      return out;
    }
    default:
      return null;
  }
}

function lowerBound(schema: JsonSchema): number {
  if (typeof schema.minimum === "number") return schema.minimum;
  if (typeof schema.exclusiveMinimum === "number") {
    return schema.type === "integer" ? Math.floor(schema.exclusiveMinimum) + 1 : schema.exclusiveMinimum + 1;
  }
  return 0;
}
