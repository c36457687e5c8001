using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;

namespace Capacity.UnitTests.AccessCodes;

public sealed class AccessCodeCacheTests
{
    [Fact]
    public void Every_command_naming_a_code_tag_invalidates_it_batched()
    {
        // Claims and releases run thousands a second: FusionCache's own RemoveByTag would cost three Redis commands
        // each (decision 007). One delivery for the whole tag family, so no late durable message overrides a batch.
        CacheTagDelivery[] deliveries =
        [
            ((IInvalidatesCache<Result<ClaimSeat.Response>>)new ClaimSeat.Command("ABC")).TagDelivery,
            ((IInvalidatesCache<Result<EndSession.Response>>)new EndSession.Command(Guid.CreateVersion7())).TagDelivery,
            ((IInvalidatesCache<CleanupIdleSessions.Response>)new CleanupIdleSessions.Command(30)).TagDelivery,
            ((IInvalidatesCache<Result<AccessCodeResponse>>)new CreateAccessCode.Command("ABC", "bulk", 5)).TagDelivery,
        ];

        Assert.All(deliveries, d => Assert.Equal(CacheTagDelivery.Batched, d));
        Assert.Equal(CacheTagDelivery.Batched, AccessCodeCache.CodeTagDelivery);
    }
}
