namespace Capacity.WebApi.RequestQueue;

/// <summary>
/// Endpoint metadata: the route does not wait in the request queue (its own batcher already bounds its database work).
/// Health, metrics, the OpenAPI document and every admin route bypass the queue by path.
/// </summary>
public sealed class RequestQueueExemption
{
    public static readonly RequestQueueExemption Instance = new();

    private RequestQueueExemption()
    {
    }
}

public static class RequestQueueEndpointExtensions
{
    /// <summary>The route does not wait in the request queue (see <see cref="RequestQueueExemption"/>).</summary>
    public static TBuilder WithoutRequestQueue<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RequestQueueExemption.Instance);
}
