using Microsoft.AspNetCore.OpenApi;

namespace Capacity.WebApi.OpenApi;

/// <summary>
/// A feature's rules for the OpenAPI schemas of its own requests and responses (limits, enums, descriptions),
/// kept beside the feature's module (<c>Modules/&lt;Feature&gt;SchemaTransformer.cs</c>, with a public parameterless
/// constructor). <c>CapacityOpenApi</c> registers every one it finds; a transformer leaves other features'
/// schemas alone.
/// </summary>
internal interface IFeatureSchemaTransformer : IOpenApiSchemaTransformer;
