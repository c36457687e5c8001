using Capacity.WebApi.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>
/// Declares the two ways to send a key (<c>ApiKey</c>: the <c>X-Api-Key</c> header; <c>Bearer</c>:
/// <c>Authorization: Bearer</c>) and, on every operation with a <see cref="ScopeRequirement"/>, the scope it needs as
/// the requirement's roles (OpenAPI 3.1 allows them for non-OAuth schemes). An operation callable without a key also
/// lists the empty requirement <c>{}</c>. Read from the same metadata <c>ApiKeyMiddleware</c> enforces.
/// </summary>
internal sealed class ScopeSecurityTransformer : IOpenApiOperationTransformer
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ScopeRequirement>().LastOrDefault() is not { } requirement
            || context.Document is not { } document)
        {
            return Task.CompletedTask;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyCredentials.HeaderName,
            Description = Describe("in the `X-Api-Key` header"),
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = Describe("as `Authorization: Bearer <key>`"),
        };

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [requirement.Scope] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [requirement.Scope] });
        if (requirement.AllowsAnonymous)
        {
            operation.Security.Add(new OpenApiSecurityRequirement());
        }
        return Task.CompletedTask;
    }

    private static string Describe(string how) =>
        $"A client API key (or the bootstrap `Security:AdminApiKey`, which holds every scope), {how}. " +
        "Each operation lists the scope it needs. No key: 401 `api-key-missing`; unknown or revoked: 403 `api-key-invalid`; " +
        "without the scope: 403 `scope-missing`.";
}
