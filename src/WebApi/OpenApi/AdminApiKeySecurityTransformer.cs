using Capacity.WebApi.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>
/// Declares the <c>X-Api-Key</c> header as an API-key security scheme and requires it on the operations that
/// <see cref="AdminApiKeyExtensions.RequireAdminKey"/> protects, so generated clients send it.
/// </summary>
internal sealed class AdminApiKeySecurityTransformer : IOpenApiOperationTransformer
{
    public const string SchemeName = "AdminApiKey";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<AdminApiKeyRequired>().Any()
            || context.Document is not { } document)
        {
            return Task.CompletedTask;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = AdminApiKeyMiddleware.HeaderName,
            Description = "The admin key (Security:AdminApiKey). Missing: 401 api-key-missing; wrong: 403 api-key-invalid.",
        };
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(SchemeName, document)] = [],
        });
        return Task.CompletedTask;
    }
}
