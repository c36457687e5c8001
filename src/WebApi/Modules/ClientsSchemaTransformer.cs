using System.Text.Json.Nodes;
using Capacity.Application.Clients;
using Capacity.Domain.Clients;
using Capacity.WebApi.OpenApi;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

using static Capacity.WebApi.OpenApi.SchemaEdits;

namespace Capacity.WebApi.Modules;

/// <summary>The clients feature's part of the OpenAPI document: the validators' limits and the scope catalogue as an enum.</summary>
internal sealed class ClientsSchemaTransformer : IFeatureSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(CreateClient.Command))
        {
            var name = Property(schema, "name");
            name.Type = JsonSchemaType.String;
            name.MinLength = 1;
            name.MaxLength = ClientRules.NameMaxLength;
            name.Pattern = @"\S";
            name.Description = $"What the client is, 1-{ClientRules.NameMaxLength} characters, not blank (e.g. shop-backend).";

            var scopes = Property(schema, "scopes");
            scopes.Type = JsonSchemaType.Array;
            scopes.MinItems = 1;
            scopes.Items = ScopeEnum();
            scopes.Description = "One or more scopes: what the client's keys may call.";
        }
        else if (type == typeof(CreateClient.Response) || type == typeof(ClientResponse) || type == typeof(ListClients.Summary))
        {
            Property(schema, "scopes").Items = ScopeEnum();
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema ScopeEnum() => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. ClientScopes.All.Select(s => (JsonNode)JsonValue.Create(s))],
    };

}
