using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Capacity.Application.Common.Options;

/// <summary>Options bound from one configuration section, named by the options class itself.</summary>
public interface ISectionOptions
{
    /// <summary>The configuration section (e.g. <c>Claims</c>; environment variables <c>Claims__…</c>).</summary>
    static abstract string SectionName { get; }
}

public static class SectionOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its section, validates its data annotations and fails the start
    /// when they do not hold: a bad setting stops the process with the setting's name, not the first request.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSectionOptions<TOptions>(this IServiceCollection services, IConfiguration configuration)
        where TOptions : class, ISectionOptions =>
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(TOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
