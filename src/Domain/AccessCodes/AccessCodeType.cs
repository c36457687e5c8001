namespace Capacity.Domain.AccessCodes;

/// <summary>A bulk code is shared by many people; a single code admits one.</summary>
public enum AccessCodeType
{
    Bulk,
    Single,
}
