using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace FastRnn.Tests.Architecture;

/// <summary>
/// Which namespaces of one assembly use which others, read from the compiled assembly itself:
/// base types, interfaces, field and method signatures, and every type, field and method token in
/// every method body. Reading the IL (not the source) sees what the compiler bound, so a partly
/// qualified name (<c>Layers.SequenceForward</c> from inside <c>FastRnn.Memory</c>), a
/// <c>using static</c>, or a type reached through a generic argument all count.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OperandType> Operands = ReadOpCodeTable();

    private readonly MetadataReader reader;
    private readonly Dictionary<(string From, string To), string> edges = [];

    private NamespaceGraph(MetadataReader reader) => this.reader = reader;

    /// <summary>Each edge between two different namespaces, with one example "Type → Type" that makes it.</summary>
    public IReadOnlyDictionary<(string From, string To), string> Edges => edges;

    /// <summary>Every namespace that declares a type (compiler-generated global types left out).</summary>
    public SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    public static NamespaceGraph Read(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var graph = new NamespaceGraph(pe.GetMetadataReader());
        graph.Walk(pe);
        return graph;
    }

    private void Walk(PEReader pe)
    {
        var provider = new TypeCollector();
        foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
        {
            string from = NamespaceOf(handle);
            if (from.Length == 0)
            {
                continue;
            }

            Namespaces.Add(from);
            string fromName = NameOf(handle);
            var used = new HashSet<TypeDefinitionHandle>();
            TypeDefinition type = reader.GetTypeDefinition(handle);
            AddType(type.BaseType, used, provider);
            foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations())
            {
                AddType(reader.GetInterfaceImplementation(i).Interface, used, provider);
            }

            foreach (FieldDefinitionHandle f in type.GetFields())
            {
                used.UnionWith(reader.GetFieldDefinition(f).DecodeSignature(provider, null).Types);
            }

            foreach (MethodDefinitionHandle m in type.GetMethods())
            {
                MethodDefinition method = reader.GetMethodDefinition(m);
                MethodSignature<TypeSet> signature = method.DecodeSignature(provider, null);
                used.UnionWith(signature.ReturnType.Types);
                foreach (TypeSet p in signature.ParameterTypes)
                {
                    used.UnionWith(p.Types);
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    AddBody(pe.GetMethodBody(method.RelativeVirtualAddress), used, provider);
                }
            }

            foreach (TypeDefinitionHandle target in used)
            {
                string to = NamespaceOf(target);
                if (to.Length != 0 && to != from)
                {
                    edges.TryAdd((from, to), $"{fromName} → {NameOf(target)}");
                }
            }
        }
    }

    private void AddBody(MethodBodyBlock body, HashSet<TypeDefinitionHandle> used, TypeCollector provider)
    {
        if (!body.LocalSignature.IsNil)
        {
            StandaloneSignature locals = reader.GetStandaloneSignature(body.LocalSignature);
            foreach (TypeSet local in locals.DecodeLocalSignature(provider, null))
            {
                used.UnionWith(local.Types);
            }
        }

        BlobReader il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il.ReadByte());
            }

            OperandType operand = Operands[code];
            switch (operand)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                {
                    // Read the count first: `Offset += 4 * ReadInt32()` would add to the offset before the read.
                    int targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                }

                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    AddToken(MetadataTokens.EntityHandle(il.ReadInt32()), used, provider);
                    break;
                default:
                    // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR: 4 bytes.
                    il.Offset += 4;
                    break;
            }
        }
    }

    private void AddToken(EntityHandle handle, HashSet<TypeDefinitionHandle> used, TypeCollector provider)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
            case HandleKind.TypeSpecification:
                AddType(handle, used, provider);
                break;
            case HandleKind.FieldDefinition:
                used.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MethodDefinition:
                used.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
            {
                MemberReference member = reader.GetMemberReference((MemberReferenceHandle)handle);
                AddToken(member.Parent, used, provider);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    MethodSignature<TypeSet> signature = member.DecodeMethodSignature(provider, null);
                    used.UnionWith(signature.ReturnType.Types);
                    foreach (TypeSet p in signature.ParameterTypes)
                    {
                        used.UnionWith(p.Types);
                    }
                }
                else
                {
                    used.UnionWith(member.DecodeFieldSignature(provider, null).Types);
                }

                break;
            }

            case HandleKind.MethodSpecification:
            {
                MethodSpecification spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddToken(spec.Method, used, provider);
                foreach (TypeSet argument in spec.DecodeSignature(provider, null))
                {
                    used.UnionWith(argument.Types);
                }

                break;
            }
        }
    }

    private void AddType(EntityHandle handle, HashSet<TypeDefinitionHandle> used, TypeCollector provider)
    {
        if (handle.IsNil)
        {
            return;
        }

        if (handle.Kind == HandleKind.TypeDefinition)
        {
            used.Add((TypeDefinitionHandle)handle);
        }
        else if (handle.Kind == HandleKind.TypeSpecification)
        {
            used.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, null).Types);
        }
    }

    // A nested type (closures, state machines, nested records) belongs to its outermost type's namespace.
    private string NamespaceOf(TypeDefinitionHandle handle)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = reader.GetTypeDefinition(type.GetDeclaringType());
        }

        return reader.GetString(type.Namespace);
    }

    private string NameOf(TypeDefinitionHandle handle)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        return type.IsNested ? $"{NameOf(type.GetDeclaringType())}.{name}" : $"{reader.GetString(type.Namespace)}.{name}";
    }

    private static Dictionary<short, OperandType> ReadOpCodeTable()
    {
        var table = new Dictionary<short, OperandType>();
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            table[op.Value] = op.OperandType;
        }

        return table;
    }

    /// <summary>The types of this assembly that a signature mentions (its own, not external ones).</summary>
    internal sealed class TypeSet
    {
        public static readonly TypeSet Empty = new([]);

        public TypeSet(ImmutableArray<TypeDefinitionHandle> types) => Types = types;

        public ImmutableArray<TypeDefinitionHandle> Types { get; }

        public static TypeSet Merge(TypeSet a, ImmutableArray<TypeSet> more)
        {
            ImmutableArray<TypeDefinitionHandle>.Builder all = ImmutableArray.CreateBuilder<TypeDefinitionHandle>();
            all.AddRange(a.Types);
            foreach (TypeSet s in more)
            {
                all.AddRange(s.Types);
            }

            return new TypeSet(all.ToImmutable());
        }
    }

    private sealed class TypeCollector : ISignatureTypeProvider<TypeSet, object?>
    {
        public TypeSet GetArrayType(TypeSet elementType, ArrayShape shape) => elementType;

        public TypeSet GetByReferenceType(TypeSet elementType) => elementType;

        public TypeSet GetFunctionPointerType(MethodSignature<TypeSet> signature) =>
            TypeSet.Merge(signature.ReturnType, signature.ParameterTypes);

        public TypeSet GetGenericInstantiation(TypeSet genericType, ImmutableArray<TypeSet> typeArguments) =>
            TypeSet.Merge(genericType, typeArguments);

        public TypeSet GetGenericMethodParameter(object? genericContext, int index) => TypeSet.Empty;

        public TypeSet GetGenericTypeParameter(object? genericContext, int index) => TypeSet.Empty;

        public TypeSet GetModifiedType(TypeSet modifier, TypeSet unmodifiedType, bool isRequired) => unmodifiedType;

        public TypeSet GetPinnedType(TypeSet elementType) => elementType;

        public TypeSet GetPointerType(TypeSet elementType) => elementType;

        public TypeSet GetPrimitiveType(PrimitiveTypeCode typeCode) => TypeSet.Empty;

        public TypeSet GetSZArrayType(TypeSet elementType) => elementType;

        public TypeSet GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => new([handle]);

        public TypeSet GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => TypeSet.Empty;

        public TypeSet GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
