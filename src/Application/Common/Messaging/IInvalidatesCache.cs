namespace Capacity.Application.Common.Messaging;

/// <summary>
/// A command that changes what cached queries show. After the handler succeeds, <c>CachingBehavior</c>
/// removes every entry carrying one of the returned tags (on every instance, through the backplane).
/// The response is passed in because some commands learn what they changed only by doing it
/// (ending a session reveals its code).
/// </summary>
public interface IInvalidatesCache<in TResponse>
{
    IEnumerable<string> CacheTagsToInvalidate(TResponse response);
}
