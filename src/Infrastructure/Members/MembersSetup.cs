using Capacity.Application.Members;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure.Members;

/// <summary>Members: their store (lookups are cached by the pipeline's caching behavior).</summary>
internal static class MembersSetup
{
    public static IServiceCollection AddMembers(this IServiceCollection services)
    {
        services.AddSingleton<IMemberStore, MemberStore>();
        return services;
    }
}
