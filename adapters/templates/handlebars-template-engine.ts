import Handlebars from "handlebars";
import type { TemplateCheck, TemplateEngine } from "../../core/notifications/ports.ts";

type Node = hbs.AST.Node;

const BLOCK_HELPERS = new Set(["if", "unless"]);

/**
 * Templates in a deliberately small subset of Handlebars: text, `{{variable}}` (escaped for
 * HTML bodies), `{{! comments }}` and `{{#if variable}}...{{else}}...{{/if}}` / `unless`, with
 * variables from the type's list only. Refused: `{{{raw}}}` and `{{& raw}}` output, partials,
 * helpers with arguments, paths (`a.b`, `../x`, `@root`), decorators. Tenant admins write these
 * templates, so nothing in them may reach outside the variables handed in. Compiled templates
 * are kept (bounded) by source.
 */
export function createHandlebarsTemplateEngine(options: { cacheSize?: number } = {}): TemplateEngine {
  const env = Handlebars.create();
  const cacheSize = options.cacheSize ?? 500;
  const cache = new Map<string, Handlebars.TemplateDelegate>();

  const compiled = (source: string, escaping: "html" | "none") => {
    const key = `${escaping}\u0000${source}`;
    let template = cache.get(key);
    if (!template) {
      template = env.compile(source, {
        noEscape: escaping === "none",
        strict: false,
        knownHelpers: { if: true, unless: true },
        knownHelpersOnly: true,
        preventIndent: true,
      });
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(key, template);
    }
    return template;
  };

  return {
    check(source, allowed): TemplateCheck {
      let program: hbs.AST.Program;
      try {
        program = env.parse(source);
      } catch (error) {
        const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
        return { ok: false, reason: `does not parse: ${message}` };
      }
      const problem = checkNode(program, new Set(allowed));
      return problem ? { ok: false, reason: problem } : { ok: true };
    },
    render(source, variables, escaping) {
      return compiled(source, escaping)(
        { ...variables },
        { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false, helpers: {}, partials: {} },
      );
    },
  };
}

function variableOf(node: hbs.AST.Expression, allowed: ReadonlySet<string>): string | undefined {
  if (node.type !== "PathExpression") return "only variables may be used, not literals";
  const path = node as hbs.AST.PathExpression;
  if (path.data || path.depth > 0 || path.parts.length !== 1) return `"${path.original}" is not a plain variable`;
  const name = path.parts[0] ?? "";
  if (!allowed.has(name)) return `unknown variable "${name}"`;
  return undefined;
}

function checkNode(node: Node, allowed: ReadonlySet<string>): string | undefined {
  switch (node.type) {
    case "Program": {
      for (const statement of (node as hbs.AST.Program).body) {
        const problem = checkNode(statement, allowed);
        if (problem) return problem;
      }
      return undefined;
    }
    case "ContentStatement":
    case "CommentStatement":
      return undefined;
    case "MustacheStatement": {
      const mustache = node as hbs.AST.MustacheStatement;
      if (!mustache.escaped) return "unescaped output ({{{...}}} or {{&...}}) is not allowed";
      if (mustache.params.length > 0 || mustache.hash?.pairs?.length) return "helpers are not allowed, only {{variable}}";
      return variableOf(mustache.path as hbs.AST.Expression, allowed);
    }
    case "BlockStatement": {
      const block = node as hbs.AST.BlockStatement;
      const name = block.path.original;
      if (!BLOCK_HELPERS.has(name)) return `block "${name}" is not allowed (only #if and #unless)`;
      if (block.params.length !== 1 || block.hash?.pairs?.length) return `#${name} takes exactly one variable`;
      const param = block.params[0] as hbs.AST.Expression;
      const problem = variableOf(param, allowed);
      if (problem) return problem;
      if (block.program?.blockParams?.length) return "block parameters are not allowed";
      return checkNode(block.program, allowed) ?? (block.inverse ? checkNode(block.inverse, allowed) : undefined);
    }
    case "PartialStatement":
    case "PartialBlockStatement":
      return "partials are not allowed";
    case "Decorator":
    case "DecoratorBlock":
      return "decorators are not allowed";
    default:
      return `${node.type} is not allowed`;
  }
}
