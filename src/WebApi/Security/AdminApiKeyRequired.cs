namespace Capacity.WebApi.Security;

/// <summary>Endpoint metadata: the endpoint requires the admin key (checked by <see cref="AdminApiKeyMiddleware"/>, declared in OpenAPI).</summary>
internal sealed class AdminApiKeyRequired;
