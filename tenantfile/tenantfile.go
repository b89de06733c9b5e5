// Package tenantfile reads and writes tenant files: one tenant of
// teamsops — its users and their passwords, app registrations with their
// credentials, permissions and sign-in settings, fault rules, Teams apps,
// resource-specific grants, groups, teams, channels, chats and operations
// — declared in YAML or JSON (JSON is YAML, so one parser reads both,
// keeping the line and column of every value). DecodeFaultRule reads one
// fault rule alone, as the admin API receives it.
//
// Decode checks a file as a whole and reports every problem at once, each
// with its file, line, column and field path; only a file without any
// yields a teamsops.Declaration, with every id filled in. Ids Graph
// generates may be left out: they are derived from the tenant and the
// entity's name, so a file without ids names the same entities on every
// machine. The package only translates; applying a Declaration is the
// service's.
package tenantfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// MaxSize bounds a tenant file: ample for thousands of entities.
const MaxSize = 8 << 20

// Decode reads the tenant file data; name names it in errors. It returns
// the tenant the file declares, or Errors listing every problem found.
// Data read without its file, such as a document posted to the admin API,
// has no directory to find files in: a certificate given by path is an
// error, and must be given inline. ReadFiles and DecodeFS read them.
func Decode(name string, data []byte) (*teamsops.Declaration, error) {
	return decode(name, data, nil)
}

// DecodeFS reads and decodes the tenant file name of fsys, reading the
// certificates it gives by path from fsys, relative to the file's
// directory: a tenant file embedded in a program (the demo's) finds the
// certificates embedded beside it.
func DecodeFS(fsys fs.FS, name string) (*teamsops.Declaration, error) {
	data, err := readAtMost(func() (io.ReadCloser, error) { return fsys.Open(name) }, MaxSize)
	if err != nil {
		return nil, Errors{{File: name, Pos: Pos{1, 1}, Message: err.Error()}}
	}
	dir := path.Dir(name)
	return decode(name, data, func(p string) ([]byte, error) {
		return readFile(func() (io.ReadCloser, error) { return fsys.Open(path.Join(dir, p)) })
	})
}

// decode is Decode reading the files the document names with read, or
// refusing them when read is nil.
func decode(name string, data []byte, read func(path string) ([]byte, error)) (*teamsops.Declaration, error) {
	if len(data) > MaxSize {
		return nil, Errors{{File: name, Pos: Pos{1, 1}, Message: fmt.Sprintf("the file is larger than %d bytes", MaxSize)}}
	}
	root, perr := parse(data)
	if perr != nil {
		perr.File = name
		return nil, Errors{perr}
	}
	errs := newErrorList(name)
	var doc document
	(&decoder{errs: errs}).decode(root, refValue(&doc), "")
	p := newPlanner(errs)
	p.read = read
	p.run(&doc)
	if len(errs.errs) > 0 {
		return nil, errs.sorted()
	}
	return p.d, nil
}

// maxReferencedFile bounds a file a tenant file names: a certificate
// takes a few kilobytes, and a wrong path may name anything.
const maxReferencedFile = 1 << 20

// readFile reads what open opens, up to maxReferencedFile bytes.
func readFile(open func() (io.ReadCloser, error)) ([]byte, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReferencedFile+1))
	if err == nil && len(data) > maxReferencedFile {
		err = fmt.Errorf("larger than %d bytes", maxReferencedFile)
	}
	return data, err
}

// readAtMost reads what open opens, up to one byte more than limit:
// enough for decode to refuse a file too large without reading it whole.
func readAtMost(open func() (io.ReadCloser, error), limit int64) ([]byte, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// ReadFiles decodes tenant files. Each file declares one tenant, and no
// two files the same one; the certificates a file gives by path are read
// relative to its directory. It returns every problem of every file, or
// the declarations in the order of paths.
func ReadFiles(paths ...string) ([]*teamsops.Declaration, error) {
	var all Errors
	var out []*teamsops.Declaration
	declaredBy := map[string]string{}
	for _, file := range paths {
		data, err := readAtMost(func() (io.ReadCloser, error) { return os.Open(file) }, MaxSize)
		if err != nil {
			all = append(all, &Error{File: file, Pos: Pos{1, 1}, Message: err.Error()})
			continue
		}
		dir := filepath.Dir(file)
		d, err := decode(filepath.Base(file), data, func(p string) ([]byte, error) {
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			return readFile(func() (io.ReadCloser, error) { return os.Open(p) })
		})
		if es, ok := err.(Errors); ok {
			for _, e := range es {
				e.File = file
			}
			all = append(all, es...)
			continue
		}
		if first, ok := declaredBy[d.Tenant.ID]; ok {
			all = append(all, &Error{File: file, Pos: Pos{1, 1}, Path: "tenant.id",
				Message: fmt.Sprintf("tenant %s is declared by %s too: one file declares one tenant", d.Tenant.ID, first)})
			continue
		}
		declaredBy[d.Tenant.ID] = file
		out = append(out, d)
	}
	if len(all) > 0 {
		return nil, all
	}
	return out, nil
}

// permissions are what tenant files may grant: every permission name that
// teamsops' permission tables know (authz.Known), and signInScopes.
var permissions = withSignInScopes(authz.Known())

// signInScopes are delegated permissions of Graph that no endpoint of
// teamsops needs, but that apps signing users in ask for: MSAL's samples
// and Microsoft's CLIs request User.Read, and a token must be able to
// carry what such an app asks for.
var signInScopes = []string{"User.Read", "User.ReadBasic.All", "User.Read.All"}

func withSignInScopes(k authz.Rule) authz.Rule {
	k.Delegated = append(k.Delegated, signInScopes...)
	slices.Sort(k.Delegated)
	k.Delegated = slices.Compact(k.Delegated)
	return k
}
