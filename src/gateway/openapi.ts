/** Runplane's own OpenAPI 3.0.3 document for its ARP v1 Run Gateway routes. */
import { z } from "zod";
import { ARP_SCHEMAS, EXTENSION_KEY_MESSAGE, EXTENSION_KEY_PATTERN } from "./schemas/index.js";

type JsonObject = Record<string, unknown>;

/** One route the gateway serves; `auth: false` marks the credential-free ones. */
export interface ArpRoute {
  method: "GET" | "POST";
  path: string;
  operationId: string;
  auth: boolean;
}

/** Every ARP route, in OpenAPI path syntax (note the literal `:cancel` custom method). */
export const ARP_ROUTES: readonly ArpRoute[] = [
  { method: "GET", path: "/v1/health", operationId: "health", auth: false },
  { method: "GET", path: "/v1/version", operationId: "version", auth: false },
  { method: "GET", path: "/v1/openapi.json", operationId: "openapi", auth: false },
  { method: "POST", path: "/v1/runs", operationId: "start_run", auth: true },
  { method: "GET", path: "/v1/runs/{run_id}", operationId: "get_run", auth: true },
  { method: "POST", path: "/v1/runs/{run_id}:cancel", operationId: "cancel_run", auth: true },
  { method: "GET", path: "/v1/runs/{run_id}/events", operationId: "stream_run_events", auth: true },
];

/** The document's shape, loosely typed below the top level. */
export interface OpenApiDocument {
  openapi: "3.0.3";
  info: { title: string; version: string; description: string };
  security: Array<Record<string, string[]>>;
  tags: JsonObject[];
  paths: Record<string, Record<string, JsonObject>>;
  components: {
    securitySchemes: JsonObject;
    parameters: JsonObject;
    responses: JsonObject;
    schemas: Record<string, JsonObject>;
  };
}

const schemaRef = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` });
const paramRef = (name: string): JsonObject => ({ $ref: `#/components/parameters/${name}` });
const json = (schema: JsonObject): JsonObject => ({ "application/json": { schema } });

/**
 * OpenAPI 3.0 has no `$id` and ignores `$ref` siblings: drop the one, unwrap `allOf: [$ref]`;
 * a `date-time` says enough without zod's long calendar regex.
 */
function toOpenApiSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApiSchema);
  if (typeof node !== "object" || node === null) return node;
  const isDateTime = (node as JsonObject).format === "date-time";
  const entries = Object.entries(node).filter(
    ([key]) => key !== "$id" && key !== "$schema" && !(isDateTime && key === "pattern"),
  );
  const obj = Object.fromEntries(entries) as JsonObject;
  const allOf = obj.allOf;
  if (Object.keys(obj).length === 1 && Array.isArray(allOf) && allOf.length === 1) {
    return toOpenApiSchema(allOf[0]);
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, toOpenApiSchema(value)]));
}

/** Component schemas generated from {@link ARP_SCHEMAS} by `z.toJSONSchema` (OpenAPI 3.0 target). */
function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(ARP_SCHEMAS)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    target: "openapi-3.0",
    unrepresentable: "throw",
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    out[id] = toOpenApiSchema(schema) as JsonObject;
  }
  // OpenAPI 3.0 cannot constrain map keys, so the namespacing rule travels as prose + extension.
  out.Extensions = {
    ...out.Extensions,
    description: `Vendor extensions; ${EXTENSION_KEY_MESSAGE}.`,
    "x-key-pattern": EXTENSION_KEY_PATTERN.source,
  };
  return out;
}

function errorResponse(description: string): JsonObject {
  return { description, content: json(schemaRef("ErrorEnvelope")) };
}

function components(): OpenApiDocument["components"] {
  return {
    securitySchemes: { ArpBearerJWT: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    parameters: {
      RunId: { name: "run_id", in: "path", required: true, schema: { type: "string" } },
      Include: {
        name: "include",
        in: "query",
        required: false,
        description:
          "`all` adds the ARCP events outside the plain run story (log, progress, …) as `node_evaluated` lines.",
        schema: { type: "string", enum: ["all"] },
      },
    },
    responses: {
      BadRequest: errorResponse(
        "Invalid request (`invalid_request`), fields listed in `details.errors`",
      ),
      UnauthorizedError: {
        ...errorResponse("Missing or invalid bearer token (`unauthorized`)"),
        headers: { "WWW-Authenticate": { schema: { type: "string" } } },
      },
      ForbiddenError: errorResponse("Not allowed"),
      NotFound: errorResponse("Unknown run, or one the caller may not see (`run_not_found`)"),
      Conflict: errorResponse("The client `run_id` names a run started with another body"),
      PayloadTooLarge: errorResponse("Request body over the size limit (`payload_too_large`)"),
      DefaultError: errorResponse("Error"),
    },
    schemas: componentSchemas(),
  };
}

function operation(
  route: ArpRoute,
  summary: string,
  ok: JsonObject,
  extra: JsonObject = {},
): JsonObject {
  const { responses = {}, ...rest } = extra as { responses?: JsonObject };
  const auth = route.auth
    ? { "401": responseRef("UnauthorizedError"), "403": responseRef("ForbiddenError") }
    : {};
  return {
    summary,
    operationId: route.operationId,
    tags: [route.path.startsWith("/v1/runs") ? "runs" : "service"],
    ...(route.auth ? {} : { security: [] }),
    ...rest,
    responses: { "200": ok, ...auth, ...responses, default: responseRef("DefaultError") },
  };
}

function routeById(operationId: string): ArpRoute {
  const route = ARP_ROUTES.find((r) => r.operationId === operationId);
  if (route === undefined) throw new Error(`no ARP route ${operationId}`);
  return route;
}

const runOk = { description: "The run", content: json(schemaRef("Run")) };
const runIdParams = { parameters: [paramRef("RunId")] };
const notFound = { "404": responseRef("NotFound") };

function paths(): OpenApiDocument["paths"] {
  const health = routeById("health");
  const version = routeById("version");
  const openapi = routeById("openapi");
  const start = routeById("start_run");
  const get = routeById("get_run");
  const cancel = routeById("cancel_run");
  const events = routeById("stream_run_events");
  const ndjson = {
    description: "NDJSON: one RunEvent per line, increasing `seq`, live until the run ends",
    content: {
      "application/x-ndjson": {
        schema: { type: "string" },
        "x-line-schema": schemaRef("RunEvent"),
      },
    },
  };
  return {
    [health.path]: {
      get: operation(health, "Health", {
        description: "Health",
        content: json(schemaRef("Health")),
      }),
    },
    [version.path]: {
      get: operation(version, "Version", {
        description: "Version",
        content: json(schemaRef("VersionInfo")),
      }),
    },
    [openapi.path]: {
      get: operation(openapi, "This document", {
        description: "OpenAPI 3.0.3 document",
        content: json({ type: "object" }),
      }),
    },
    [start.path]: {
      post: operation(start, "Start run", runOk, {
        requestBody: { required: true, content: json(schemaRef("RunStartRequest")) },
        responses: {
          "400": responseRef("BadRequest"),
          "409": responseRef("Conflict"),
          "413": responseRef("PayloadTooLarge"),
        },
      }),
    },
    [get.path]: { get: operation(get, "Get run", runOk, { ...runIdParams, responses: notFound }) },
    [cancel.path]: {
      post: operation(cancel, "Cancel run (no request body)", runOk, {
        ...runIdParams,
        responses: notFound,
      }),
    },
    [events.path]: {
      get: operation(events, "Stream run events", ndjson, {
        parameters: [paramRef("RunId"), paramRef("Include")],
        responses: notFound,
      }),
    },
  };
}

/** Build a fresh copy of the document (`GET /v1/openapi.json`). */
export function buildOpenApiDocument(): OpenApiDocument {
  const document: OpenApiDocument = {
    openapi: "3.0.3",
    info: {
      title: "Runplane ARP Run Gateway",
      version: "v1",
      description: "ARP Standard spec/v1 Run Gateway served by Runplane; every run is an ARCP job.",
    },
    security: [{ ArpBearerJWT: [] }],
    tags: [
      { name: "service", description: "Health, version and this document; no credentials needed" },
      { name: "runs", description: "Run lifecycle and events" },
    ],
    paths: paths(),
    components: components(),
  };
  // Operations share response objects; a JSON round trip leaves no aliasing in the result.
  return JSON.parse(JSON.stringify(document)) as OpenApiDocument;
}

let cached: OpenApiDocument | undefined;

/** The document, built once per process. */
export function openApiDocument(): OpenApiDocument {
  cached ??= buildOpenApiDocument();
  return cached;
}
