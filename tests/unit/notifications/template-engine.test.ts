import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../../core/notifications/templates.ts";
import { type NotificationType, VARIABLES_OF } from "../../../core/notifications/notification-types.ts";
import { createHandlebarsTemplateEngine } from "../../../adapters/templates/handlebars-template-engine.ts";

const engine = createHandlebarsTemplateEngine();
const allowed = ["display_name", "order_id", "refund_due"];

describe("handlebars template engine: rendering", () => {
  it("when a variable holds HTML and the part is HTML, then it is escaped", () => {
    const html = engine.render("<p>Hi {{display_name}}</p>", { display_name: `<script>alert("x")</script> & 'co'` }, "html");
    expect(html).toBe("<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;co&#x27;</p>");
  });

  it("when the part is plain text (subject, text body, SMS), then the value is kept as is", () => {
    expect(engine.render("Hi {{display_name}}", { display_name: "O'Brien & <Sons>" }, "none")).toBe("Hi O'Brien & <Sons>");
  });

  it("when #if's variable is empty, then its block is left out, else it is shown", () => {
    const source = "Cancelled.{{#if refund_due}} Refunded.{{else}} Nothing to refund.{{/if}}";
    expect(engine.render(source, { refund_due: "yes" }, "none")).toBe("Cancelled. Refunded.");
    expect(engine.render(source, { refund_due: "" }, "none")).toBe("Cancelled. Nothing to refund.");
  });

  it("when a variable is missing or names an Object prototype member, then it renders empty", () => {
    expect(engine.render("[{{order_id}}]", {}, "none")).toBe("[]");
    expect(engine.check("{{constructor}}", allowed).ok).toBe(false);
    expect(engine.render("[{{constructor}}]", {}, "none")).toBe("[]");
  });
});

describe("handlebars template engine: check", () => {
  const reason = (source: string) => {
    const check = engine.check(source, allowed);
    return check.ok ? "ok" : check.reason;
  };

  it("accepts text, escaped variables, comments and if/unless on known variables", () => {
    expect(reason("Hello {{display_name}} {{! note }}{{#unless refund_due}}x{{/unless}}")).toBe("ok");
  });

  it.each([
    ["{{tracking_url}}", /unknown variable "tracking_url"/],
    ["{{{display_name}}}", /unescaped output/],
    ["{{& display_name}}", /unescaped output/],
    ["{{> header}}", /partials/],
    ["{{lookup display_name 'x'}}", /helpers are not allowed/],
    ["{{#each display_name}}x{{/each}}", /block "each" is not allowed/],
    ["{{#with display_name}}x{{/with}}", /block "with" is not allowed/],
    ["{{../display_name}}", /not a plain variable/],
    ["{{@root.display_name}}", /not a plain variable/],
    ["{{display_name.length}}", /not a plain variable/],
    ["{{#if}}x{{/if}}", /exactly one variable|does not parse/],
    ["{{#if display_name}}x", /does not parse/],
    ["{{#if 'x'}}y{{/if}}", /only variables/],
  ])("refuses %s", (source, expected) => {
    expect(reason(source)).toMatch(expected);
  });

  it("every built-in template passes the check of its type", () => {
    for (const [key, content] of Object.entries(BUILT_IN_TEMPLATES)) {
      const type = key.split("/")[0] as NotificationType;
      for (const part of [content?.subject ?? "", content?.bodyText ?? "", content?.bodyHtml ?? ""]) {
        expect({ key, check: engine.check(part, VARIABLES_OF[type]) }).toEqual({ key, check: { ok: true } });
      }
    }
  });
});
