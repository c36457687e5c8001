using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>
/// What a route declares so that a client generated from the document alone (Portman, newman, Scalar's "try it")
/// gets a 2xx: an example of every input, and requiredness that binding cannot infer. Examples succeed against
/// <c>build/run</c>'s demo data; an id that exists only at run time gets an example of its shape.
/// </summary>
internal static class OpenApiExamples
{
    /// <summary>The JSON request body's example, written as the API reads JSON (camelCase; nulls left out).</summary>
    public static RouteHandlerBuilder WithRequestExample<T>(this RouteHandlerBuilder route, T example) =>
        route.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            var api = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var options = new JsonSerializerOptions(api) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
            var body = operation.RequestBody?.Content is { } content && content.TryGetValue("application/json", out var json)
                ? json
                : throw new InvalidOperationException($"{operation.OperationId} has no JSON request body to give an example.");
            body.Example = JsonSerializer.SerializeToNode(example, options);
            return Task.CompletedTask;
        });

    /// <summary>The example of a route or query parameter.</summary>
    public static RouteHandlerBuilder WithParameterExample(this RouteHandlerBuilder route, string name, string example) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            Parameter(operation, name).Example = JsonValue.Create(example);
            return Task.CompletedTask;
        });

    /// <summary>The example of an integer route or query parameter.</summary>
    public static RouteHandlerBuilder WithParameterExample(this RouteHandlerBuilder route, string name, int example) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            Parameter(operation, name).Example = JsonValue.Create(example);
            return Task.CompletedTask;
        });

    /// <summary>
    /// Documents as required a query parameter that binds as nullable on purpose: its validator, not binding,
    /// answers a request without it, with problem details that say what is missing.
    /// </summary>
    public static RouteHandlerBuilder WithRequiredQueryParameter(this RouteHandlerBuilder route, string name) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var parameter = Parameter(operation, name);
            if (parameter.In != ParameterLocation.Query)
            {
                throw new InvalidOperationException($"{operation.OperationId}: '{name}' is not a query parameter.");
            }

            parameter.Required = true;
            return Task.CompletedTask;
        });

    private static OpenApiParameter Parameter(OpenApiOperation operation, string name) =>
        operation.Parameters?.OfType<OpenApiParameter>().SingleOrDefault(p => p.Name == name)
            ?? throw new InvalidOperationException($"{operation.OperationId} has no parameter '{name}'.");
}
