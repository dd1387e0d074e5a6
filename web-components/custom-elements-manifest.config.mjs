// @custom-elements-manifest/analyzer settings (`cem analyze`, run by `npm run build`). The elements'
// public API is what their JSDoc declares (@attr, @fires, @csspart, @cssprop): Lit's internal reactive
// state (`state: true`) and the shared emit() helper are not part of it.
export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/generated/**'],
  litelement: true,
  plugins: [
    {
      name: 'closeloop-public-api',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const d of mod.declarations ?? []) {
            if (!d.customElement) continue;
            d.attributes = (d.attributes ?? []).filter((a) => a.description);
            d.events = (d.events ?? []).filter((e) => e.name !== 'type' && e.description);
            d.members = (d.members ?? []).filter((m) => !m.privacy && (m.kind !== 'field' || d.attributes.some((a) => a.fieldName === m.name) || m.description));
          }
        }
      },
    },
  ],
};
