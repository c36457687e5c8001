using Capacity.Application.Members;
using Microsoft.Extensions.Hosting;

namespace Capacity.Infrastructure.Members;

/// <summary>Builds the card signer as the host starts: a missing or malformed key stops the start with the reason, not the first card.</summary>
internal sealed class CardSignerCheck(ICardSigner signer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => signer.PublicKeys.Keys.Count > 0
        ? Task.CompletedTask
        : throw new InvalidOperationException("No card signing key.");

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
