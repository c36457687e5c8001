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
        foreach (var feature in FeatureSchemaTransformers)
        {
            options.AddSchemaTransformer(feature);
        }

        options.AddSchemaTransformer<ProblemDetailsSchemaTransformer>();
        options.AddSchemaTransformer<PagingSchemaTransformer>();
        options.AddOperationTransformer<ScopeSecurityTransformer>();

        // Responses in status order, whatever order the group and the route declared them in: the document (and
        // its snapshot) does not change when a declaration moves between a route and its group.
        options.AddOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses is { Count: > 1 } responses)
            {
                var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
                responses.Clear();
                foreach (var (status, response) in sorted)
                {
                    responses.Add(status, response);
                }
            }

            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>
    /// Each feature's schema rules (<see cref="IFeatureSchemaTransformer"/>, beside its module): a new feature adds
    /// its own file and edits nothing here.
    /// </summary>
    private static IEnumerable<IOpenApiSchemaTransformer> FeatureSchemaTransformers =>
        typeof(CapacityOpenApi).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IFeatureSchemaTransformer).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IOpenApiSchemaTransformer)Activator.CreateInstance(t)!);

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
