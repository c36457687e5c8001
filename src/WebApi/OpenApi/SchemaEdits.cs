using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>What every feature's schema transformer does to a schema: find a property, limit a string to values.</summary>
internal static class SchemaEdits
{
    /// <summary>The inline schema of a property; a developer error (caught by the first OpenAPI test) when it is missing.</summary>
    public static OpenApiSchema Property(OpenApiSchema schema, string name) =>
        schema.Properties?.TryGetValue(name, out var property) == true && property is OpenApiSchema inline
            ? inline
            : throw new InvalidOperationException($"The OpenAPI schema has no inline property '{name}'.");

    /// <summary>A string that is one of <paramref name="values"/> (or null, when <paramref name="nullable"/>).</summary>
    public static OpenApiSchema OneOf(OpenApiSchema schema, IEnumerable<string> values, bool nullable = false)
    {
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        if (nullable)
        {
            schema.Enum.Add(null!);
        }

        return schema;
    }
}
