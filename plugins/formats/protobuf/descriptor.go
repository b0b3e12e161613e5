package protobuf

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	// The well-known types register themselves in protoregistry.GlobalFiles, which resolves
	// imports of descriptor sets built without --include_imports.
	_ "google.golang.org/protobuf/types/known/anypb"
	_ "google.golang.org/protobuf/types/known/durationpb"
	_ "google.golang.org/protobuf/types/known/emptypb"
	_ "google.golang.org/protobuf/types/known/fieldmaskpb"
	_ "google.golang.org/protobuf/types/known/structpb"
	_ "google.golang.org/protobuf/types/known/timestamppb"
	_ "google.golang.org/protobuf/types/known/wrapperspb"
)

// LoadMessage reads the descriptor set at path and returns the message called name (a fully
// qualified name; a leading dot is allowed).
func LoadMessage(path, name string) (protoreflect.MessageDescriptor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", OptDescriptorFile, err)
	}
	files, err := ParseDescriptorSet(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", OptDescriptorFile, path, err)
	}
	md, err := FindMessage(files, name)
	if err != nil {
		return nil, fmt.Errorf("%s %q in %s %s: %w", OptMessageName, name, OptDescriptorFile, path, err)
	}
	return md, nil
}

// ParseDescriptorSet parses a serialized FileDescriptorSet. Imports missing from the set are
// resolved from the well-known types compiled into the program; any other missing import is an
// error.
func ParseDescriptorSet(data []byte) (*protoregistry.Files, error) {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("not a serialized google.protobuf.FileDescriptorSet: %w", err)
	}
	if len(set.File) == 0 {
		return nil, errors.New("descriptor set holds no files")
	}
	r := &setResolver{
		local:    new(protoregistry.Files),
		byPath:   make(map[string]*descriptorpb.FileDescriptorProto, len(set.File)),
		visiting: map[string]bool{},
	}
	for _, f := range set.File {
		if _, dup := r.byPath[f.GetName()]; dup {
			return nil, fmt.Errorf("file %q appears twice", f.GetName())
		}
		r.byPath[f.GetName()] = f
	}
	for _, f := range set.File {
		if err := r.register(f.GetName()); err != nil {
			return nil, err
		}
	}
	return r.local, nil
}

// setResolver builds files in dependency order, so a set listed in any order works.
type setResolver struct {
	local    *protoregistry.Files
	byPath   map[string]*descriptorpb.FileDescriptorProto
	visiting map[string]bool
}

func (r *setResolver) register(path string) error {
	if _, err := r.local.FindFileByPath(path); err == nil {
		return nil
	}
	if r.visiting[path] {
		return fmt.Errorf("file %q imports itself through its dependencies", path)
	}
	r.visiting[path] = true
	defer delete(r.visiting, path)
	fdp := r.byPath[path]
	for _, dep := range fdp.GetDependency() {
		if _, ok := r.byPath[dep]; ok {
			if err := r.register(dep); err != nil {
				return err
			}
			continue
		}
		if _, err := protoregistry.GlobalFiles.FindFileByPath(dep); err != nil {
			return fmt.Errorf("file %q imports %q, which the descriptor set does not contain "+
				"(build it with protoc --include_imports)", path, dep)
		}
	}
	fd, err := protodesc.NewFile(fdp, r)
	if err != nil {
		return fmt.Errorf("file %q: %w", path, err)
	}
	if err := r.local.RegisterFile(fd); err != nil {
		return fmt.Errorf("file %q: %w", path, err)
	}
	return nil
}

// FindFileByPath implements protodesc.Resolver: the set's files first, then the well-known types.
func (r *setResolver) FindFileByPath(path string) (protoreflect.FileDescriptor, error) {
	if fd, err := r.local.FindFileByPath(path); err == nil {
		return fd, nil
	}
	return protoregistry.GlobalFiles.FindFileByPath(path)
}

// FindDescriptorByName implements protodesc.Resolver.
func (r *setResolver) FindDescriptorByName(name protoreflect.FullName) (protoreflect.Descriptor, error) {
	if d, err := r.local.FindDescriptorByName(name); err == nil {
		return d, nil
	}
	return protoregistry.GlobalFiles.FindDescriptorByName(name)
}

// FindMessage returns the message called name from files.
func FindMessage(files *protoregistry.Files, name string) (protoreflect.MessageDescriptor, error) {
	full := protoreflect.FullName(strings.TrimPrefix(strings.TrimSpace(name), "."))
	if !full.IsValid() {
		return nil, errors.New("not a valid fully qualified message name")
	}
	d, err := files.FindDescriptorByName(full)
	if err != nil {
		return nil, fmt.Errorf("no such message (the file defines %s)", listMessages(files))
	}
	md, ok := d.(protoreflect.MessageDescriptor)
	if !ok {
		return nil, fmt.Errorf("%s is %s, not a message", full, descriptorKind(d))
	}
	if md.IsMapEntry() {
		return nil, fmt.Errorf("%s is a synthetic map entry, not a message", full)
	}
	return md, nil
}

func descriptorKind(d protoreflect.Descriptor) string {
	switch d.(type) {
	case protoreflect.EnumDescriptor:
		return "an enum"
	case protoreflect.EnumValueDescriptor:
		return "an enum value"
	case protoreflect.FieldDescriptor:
		return "a field"
	case protoreflect.OneofDescriptor:
		return "a oneof"
	case protoreflect.ServiceDescriptor:
		return "a service"
	case protoreflect.MethodDescriptor:
		return "a method"
	}
	return "a descriptor"
}

// listMessages names the top-level and nested messages of files, for error messages.
func listMessages(files *protoregistry.Files) string {
	var names []string
	var walk func(ms protoreflect.MessageDescriptors)
	walk = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			m := ms.Get(i)
			if m.IsMapEntry() {
				continue
			}
			names = append(names, string(m.FullName()))
			walk(m.Messages())
		}
	}
	files.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		walk(f.Messages())
		return true
	})
	if len(names) == 0 {
		return "no messages"
	}
	sort.Strings(names)
	const max = 20
	if len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
	}
	return strings.Join(names, ", ")
}
