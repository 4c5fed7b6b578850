// Reads a Structurizr DSL file with the structurizr-parser package (npm) and reports, as JSON, its lexing and
// parsing errors, the elements it declares and the relationships between them, and any relationship whose
// ends are not declared. Run: node structurizr_check.js FILE (NODE_PATH must reach structurizr-parser).
"use strict";
const fs = require("fs");
const { StructurizrLexer, StructurizrParser } = require("structurizr-parser");

const text = fs.readFileSync(process.argv[2], "utf8");
const lexed = StructurizrLexer.tokenize(text);
StructurizrParser.input = lexed.tokens;
const cst = StructurizrParser.workspaceWrapper();
const errors = lexed.errors.map((e) => `line ${e.line}: ${e.message}`)
  .concat(StructurizrParser.errors.map((e) => `line ${e.token.startLine}: ${e.message}`));

const declared = {};
const relationships = [];
const kinds = { personSection: "person", softwareSystemSection: "softwareSystem", containerSection: "container",
                componentSection: "component" };
function walk(node) {
  if (!node || !node.children) { return; }
  const ids = node.children.identifier || [];
  if (kinds[node.name] && ids.length) { declared[ids[0].image] = kinds[node.name]; }
  if (node.name === "explicitRelationship") { relationships.push([ids[0].image, ids[1].image]); }
  Object.values(node.children).forEach((list) => list.forEach(walk));
}
if (!errors.length) { walk(cst); }
const undeclared = relationships.flat().filter((id) => !(id in declared));
console.log(JSON.stringify({ errors, elements: declared, relationships: relationships.length, undeclared }));
