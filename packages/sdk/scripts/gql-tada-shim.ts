// Bundle-only stand-in for gql.tada's runtime `graphql()`: the types still come from gql.tada, but at
// run time a document is its text followed by its fragments' text (each already carrying its own
// fragments), which urql parses once. Saves gql.tada's runtime and a parse per document at load.
export function initGraphQLTada() {
  return (source: string, fragments: string[] = []) => [source, ...fragments].join(' ').replace(/@_unmask/g, '');
}
