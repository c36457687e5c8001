// Spectral custom function (used by .spectral.yaml): a Security Requirement Object names only schemes defined in
// components.securitySchemes, and lists only declared scopes for oauth2. Unlike the built-in
// oas3-operation-security-defined it lets an apiKey, http or mutualTLS requirement list role (scope) names, which
// OpenAPI 3.1 allows ("a list of role names which are required for the execution"); openIdConnect scopes are the
// provider's, not the document's, so they are not checked either.
export default (requirement, _options, { document, path }) => {
  if (requirement === null || typeof requirement !== 'object' || Array.isArray(requirement)) {
    return [{ message: 'A security requirement must be an object of scheme names to lists of scopes.' }];
  }

  const data = document.data;
  const schemes = data && typeof data.components === 'object' && data.components !== null
    ? data.components.securitySchemes
    : undefined;
  const results = [];
  for (const [name, scopes] of Object.entries(requirement)) {
    const scheme = schemes && typeof schemes === 'object' ? schemes[name] : undefined;
    if (scheme === undefined || scheme === null || typeof scheme !== 'object') {
      results.push({
        message: `"${name}" is not a scheme defined in components.securitySchemes.`,
        path: [...path, name],
      });
      continue;
    }

    if (!Array.isArray(scopes)) {
      results.push({ message: `The scopes of "${name}" must be a list.`, path: [...path, name] });
      continue;
    }

    if (scheme.type !== 'oauth2') {
      continue;
    }

    const declared = new Set(Object.values(scheme.flows ?? {})
      .flatMap((flow) => Object.keys((flow && flow.scopes) ?? {})));
    scopes.forEach((scope, i) => {
      if (!declared.has(scope)) {
        results.push({
          message: `"${scope}" is not a scope of any flow of the oauth2 scheme "${name}".`,
          path: [...path, name, i],
        });
      }
    });
  }

  return results;
};
