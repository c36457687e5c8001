using System.Text.Json.Serialization.Metadata;
using Capacity.WebApi.OpenApi;
using Microsoft.AspNetCore.OpenApi;

// In the namespace of AddWebApi, like other registration extensions, so registering it needs no import there.
namespace Capacity.WebApi;

/// <summary>
/// Makes the OpenAPI document a contract clients can generate code from: a distinct schema per request and
/// response type, the validators' limits as schema constraints, the problem details extensions, and the
/// admin key as a security scheme.
/// </summary>
internal static class CapacityOpenApi
{
    public static OpenApiOptions AddCapacityContract(this OpenApiOptions options)
    {
        options.CreateSchemaReferenceId = SchemaReferenceId;
        options.AddSchemaTransformer<AccessCodeRulesSchemaTransformer>();
        options.AddSchemaTransformer<ProblemDetailsSchemaTransformer>();
        options.AddOperationTransformer<AdminApiKeySecurityTransformer>();
        return options;
    }

    /// <summary>
    /// Slices nest their records (<c>ClaimSeat.Command</c>, <c>CreateAccessCode.Command</c>): by default both are
    /// "Command" and one overwrites the other in components. The declaring slice's name keeps them apart.
    /// </summary>
    private static string? SchemaReferenceId(JsonTypeInfo type)
    {
        var id = OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        return id is not null && type.Type.DeclaringType is { } slice ? slice.Name + id : id;
    }
}
