using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>
/// Adds the members our problem details carry beside RFC 9457's own (see <c>ProblemExceptionHandler</c> and
/// <c>ErrorProblems</c>), so clients can read validation failures and error codes without guessing.
/// </summary>
internal sealed class ProblemDetailsSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type != typeof(ProblemDetails) || schema.Properties is null)
        {
            return Task.CompletedTask;
        }

        schema.Description = "RFC 9457 problem details; type is `urn:capacity:problem:<code>`.";
        schema.Properties["traceId"] = Text("Correlates the response with the server's logs.");
        schema.Properties["code"] = Text("The error code of a domain error (the last segment of type).");
        schema.Properties["reason"] = Text("A stable reason code under some errors (coupons: expired, usage_limit_reached ...).");
        var field = Text("Malformed requests: the JSON path that could not be read, when known.");
        field.Type |= JsonSchemaType.Null;
        schema.Properties["field"] = field;
        schema.Properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Validation failures: messages by field (camelCase).",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        schema.Properties["violations"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Description = "Validation failures: one entry per broken rule.",
            Items = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "field", "rule", "message" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["field"] = Text("The field, camelCase."),
                    ["rule"] = Text("The rule, e.g. NotEmpty, Length, InclusiveBetween."),
                    ["message"] = Text("A message for people."),
                },
            },
        };
        return Task.CompletedTask;
    }

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
