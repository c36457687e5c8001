using System.Text.Json.Nodes;
using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>
/// Shows the validators' rules (<see cref="AccessCodeRules"/>, the constants they use) as schema constraints,
/// and marks the fields a request must carry as non-null: the validators refuse null there with a 400.
/// </summary>
internal sealed class AccessCodeRulesSchemaTransformer : IOpenApiSchemaTransformer
{
    private static readonly string[] Types = ["bulk", "single"];

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(CreateAccessCode.Command))
        {
            AccessCode(Property(schema, "code"));
            OneOf(Property(schema, "type"));
            var seats = Property(schema, "maxUsageCount");
            seats.Minimum = "1";
            seats.Maximum = AccessCodeRules.MaxBulkUsageCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            seats.Description = "Seats: 1-1,000,000 for bulk (required); 1 or omitted for single.";
            Property(schema, "expiresAt").Description = "Optional; must be in the future.";
        }
        else if (type == typeof(ClaimSeat.Command))
        {
            AccessCode(Property(schema, "code"));
            var clientRef = Property(schema, "clientRef");
            clientRef.MaxLength = AccessCodeRules.ClientRefMaxLength;

            // Unanchored, as JSON Schema patterns are: at least one character that is not white space.
            clientRef.Pattern = @"\S";
            clientRef.Description = "Optional idempotency key: a retry with the same value gets its open session back.";
        }
        else if (type == typeof(AccessCodeResponse))
        {
            OneOf(Property(schema, "type"));
        }
        else if (context.ParameterDescription is { Name: "code" } parameter && parameter.Source == BindingSource.Path)
        {
            AccessCode(schema);
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema Property(OpenApiSchema schema, string name) =>
        schema.Properties?.TryGetValue(name, out var property) == true && property is OpenApiSchema inline
            ? inline
            : throw new InvalidOperationException($"The OpenAPI schema has no inline property '{name}'.");

    private static void AccessCode(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.MinLength = AccessCodeRules.CodeMinLength;
        schema.MaxLength = AccessCodeRules.CodeMaxLength;
        schema.Pattern = AccessCodeRules.PublishedCodePattern;
        schema.Description = "Letters, digits, '-' and '_'; matched case-insensitively, shown upper case.";
    }

    private static void OneOf(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.String;
        schema.Enum = [.. Types.Select(t => (JsonNode)JsonValue.Create(t))];
    }
}
