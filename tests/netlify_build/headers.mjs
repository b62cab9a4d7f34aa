// Netlify's own headers parser (@netlify/headers-parser, from the pinned runner's packages) on
// the site's netlify.toml and built _headers: every rule it reads, and which rules match each
// path asked about, and the values Node.js would refuse to send. Run by tests/test_headers.py as
//   node headers.mjs PARSER_ENTRY NETLIFY_TOML HEADERS_FILE PATHS_JSON
import { validateHeaderValue } from "node:http";
import { pathToFileURL } from "node:url";

const [parser, netlifyConfigPath, headersFile, paths] = process.argv.slice(2);
const { parseAllHeaders } = await import(pathToFileURL(parser).href);
const { headers, errors } = await parseAllHeaders({
  headersFiles: [headersFile],
  netlifyConfigPath,
});
const matches = Object.fromEntries(
  JSON.parse(paths).map((path) => [
    path,
    headers.filter((rule) => rule.forRegExp.test(path)).map((rule) => rule.for),
  ]),
);
const rules = headers.map((rule) => ({ for: rule.for, values: rule.values }));
// What Node.js says of each value as `netlify dev` and `netlify serve` would send it.
const unsendable = [];
for (const rule of headers) {
  for (const [name, value] of Object.entries(rule.values)) {
    try {
      validateHeaderValue(name, value);
    } catch (error) {
      unsendable.push(`${rule.for} ${name}: ${error.code}`);
    }
  }
}
console.log(JSON.stringify({ rules, matches, unsendable, errors: errors.map(String) }));
