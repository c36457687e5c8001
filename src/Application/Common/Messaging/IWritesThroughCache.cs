namespace Capacity.Application.Common.Messaging;

/// <summary>
/// A command whose response is exactly what some cached queries answer (an update returns the member that the
/// lookups show). After the handler succeeds, <c>CachingBehavior</c> writes the response into those queries' entries
/// (memory, Redis, and the backplane tells the other instances) instead of expiring them. An expired entry is still
/// fail-safe's fallback: a lookup that fails right after the change (the database stopped) would answer the value
/// from before the change; a written entry answers the change itself, fresh, for its whole duration.
/// The queries are <see cref="IWrittenThroughQuery{TResponse}"/>, so that a load that was reading the old row while the
/// command ran cannot put it back over the written value (FusionCache #613/#625).
/// </summary>
public interface IWritesThroughCache<TResponse>
{
    /// <summary>The cached queries that answer <paramref name="response"/> from now on.</summary>
    IEnumerable<IWrittenThroughQuery<TResponse>> CachedQueriesAnswered(TResponse response);
}
