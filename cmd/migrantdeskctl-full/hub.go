package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/metrics"
	"migrantdesk/data/sync"
)

func init() {
	commands["hub"] = runHub
}

func runHub(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("hub: say what to do: hub serve, hub user add|edit|passwd|disable|enable|grant|revoke|list, hub migrate, hub backup or hub new-epoch")
	}
	switch args[0] {
	case "serve":
		return hubServe(args[1:], out)
	case "user":
		if len(args) < 2 {
			return errors.New("hub user: say what to do: add, edit, passwd, disable, enable, grant, revoke or list")
		}
		return hubUser(args[1], args[2:], out)
	case "migrate":
		return hubMigrate(args[1:], out)
	case "backup":
		return hubBackup(args[1:], out)
	case "new-epoch":
		return hubNewEpoch(args[1:], out)
	}
	return fmt.Errorf("hub: unknown command %q: use serve, user, migrate, backup or new-epoch", args[0])
}

func hubServe(args []string, out io.Writer) error {
	fs, db := cli.NewFlags("hub serve")
	addr := fs.String("addr", "127.0.0.1:8740", "listen on `HOST:PORT`")
	cert := fs.String("tls-cert", "", "TLS certificate `FILE` (PEM)")
	key := fs.String("tls-key", "", "TLS private key `FILE` (PEM)")
	insecure := fs.Bool("insecure", false, "serve plain HTTP on an address other than loopback")
	passwordFile := dbPasswordFlag(fs, "password-file")
	var proxies proxyList
	fs.Var(&proxies, "trusted-proxy", "trust the X-Forwarded-For of the load balancer or proxy at `ADDR` (an address or a CIDR range; "+
		"repeat for several): failed sign-ins count against the address it names, not against the proxy's, which all share")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return errors.New("hub serve: give both --tls-cert and --tls-key, or neither")
	}
	if *cert == "" && !*insecure && !loopback(*addr) {
		return fmt.Errorf("hub serve: %s is not a loopback address; serve it with --tls-cert and --tls-key, or say --insecure", *addr)
	}
	if err := hubExists("hub serve", *db); err != nil {
		return err
	}
	// Read before the hub says it serves: read by ServeTLS, a missing or
	// switched file stopped it right after "hub serving ... on https://".
	var tlsConfig *tls.Config
	if *cert != "" {
		// Anyone who reads the key can pass for the hub, and collect
		// the passwords the workstations send it.
		if fi, err := os.Stat(*key); err == nil {
			if err := private(fi, "the TLS private key (--tls-key)", *key); err != nil {
				return fmt.Errorf("hub serve: %w", err)
			}
		}
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return fmt.Errorf("hub serve: read the TLS certificate %s (--tls-cert) and its key %s (--tls-key): %w", *cert, *key, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}}
	}
	if err := pgHubExists(*db, *passwordFile); err != nil {
		return fmt.Errorf("hub serve: %w", passwordRefused(err, *db, "--password-file", *passwordFile))
	}
	h, err := openHub(context.Background(), *db, *passwordFile)
	if err != nil {
		return fmt.Errorf("hub serve: %w", passwordRefused(err, *db, "--password-file", *passwordFile))
	}
	defer h.Close()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	reportOpening(h, log)
	ln, err := net.Listen("tcp", *addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("hub serve: another program listens on %s already (a hub serving, or this one started twice): "+
			"stop it, or give another --addr (%w)", *addr, err)
	}
	if err != nil {
		return fmt.Errorf("hub serve: %w", err)
	}
	m := metrics.New(h)
	api := hub.NewServer(m.Store(h), log)
	api.TrustProxies(proxies)
	srv := httpServer(m.Handler(api.Handler()), log)
	srv.TLSConfig = tlsConfig
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	fmt.Fprintf(out, "hub serving %s on %s://%s\n", shownDB(*db), scheme, ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return fmt.Errorf("hub serve: %w", err)
	case <-ctx.Done():
	}
	// Requests in flight finish (a push commits or does not) before exit,
	// unless the operator interrupts again: then they are cut off, which
	// loses nothing, since a push is one transaction on either back end,
	// rolled back whole when cut off, and its workstation sends it again.
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	log.Info("stopping: requests in flight may finish for up to 30 s; interrupt again to cut them off")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(shutdown) }()
	select {
	case err := <-stopped:
		if err != nil {
			return fmt.Errorf("hub serve: stopping: %w", err)
		}
	case <-again:
		srv.Close()
		log.Warn("stopped at once by a second interrupt: requests in flight were cut off; " +
			"a push cut off was rolled back whole, and its workstation sends it again")
		return nil
	}
	log.Info("stopped")
	return nil
}

// httpServer serves handler, and logs what the server itself has to say
// (a TLS handshake refused, say) to log, as JSON beside the request
// lines, not as a line of plain text a log pipeline cannot read.
func httpServer(handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// loopback reports whether addr listens on this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// proxyList collects repeated --trusted-proxy flags, an address
// standing for itself alone.
type proxyList []netip.Prefix

func (p *proxyList) String() string { return fmt.Sprint(*p) }

func (p *proxyList) Set(v string) error {
	v = strings.TrimSpace(v)
	if a, err := netip.ParseAddr(v); err == nil {
		*p = append(*p, netip.PrefixFrom(a, a.BitLen()))
		return nil
	}
	n, err := netip.ParsePrefix(v)
	if err != nil {
		return fmt.Errorf("%q is neither an address (10.0.0.5) nor a range of them (10.0.0.0/24)", v)
	}
	*p = append(*p, n.Masked())
	return nil
}

// districtList collects repeated --district flags.
type districtList []string

func (d *districtList) String() string     { return strings.Join(*d, ",") }
func (d *districtList) Set(v string) error { *d = append(*d, strings.TrimSpace(v)); return nil }

func hubUser(verb string, args []string, out io.Writer) (err error) {
	name := "hub user " + verb
	fs, db := cli.NewFlags(name)
	// list shows every account: a --username it took would be ignored.
	username := new(string)
	if verb != "list" {
		username = fs.String("username", "", "the user's sign-in `NAME`")
	}
	var passwordFile *string
	if verb == "add" || verb == "passwd" {
		passwordFile = fs.String("password-file", "", "read the password from `FILE` (otherwise it is asked for)")
	}
	var fullName, role, region *string
	var districts districtList
	switch verb {
	case "add", "edit":
		fullName = fs.String("name", "", "the user's full `NAME`")
		role = fs.String("role", "", "the user's `ROLE`: clerk, coordinator, district_admin or state_admin")
		region = fs.String("region", "", "a clerk's region `CODE`")
		fs.Var(&districts, "district", "a coordinator's or district administrator's district `NUM` (repeat for several)")
	case "grant", "revoke":
		fs.Var(&districts, "district", "the district `NUM` whose QA Migrant report access changes")
	case "list":
	case "passwd", "disable", "enable":
	default:
		return fmt.Errorf("hub user: unknown command %q: use add, edit, passwd, disable, enable, grant, revoke or list", verb)
	}
	passwordDB := dbPasswordFlag(fs, "db-password-file")
	asJSON := new(bool)
	if verb == "list" {
		asJSON = fs.Bool("json", false, "print JSON")
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	if verb != "list" && *username == "" {
		return fmt.Errorf("%s: --username is required", name)
	}
	if verb != "list" {
		// The name as the hub keeps it, so that "maria " finds maria.
		clean, err := data.CleanUsername(*username)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*username = clean
	}
	switch missing := hubExists(name, *db); {
	case missing == nil:
	case verb != "add":
		return missing
	default:
		// The first account of a new hub file: one refused (a mistyped
		// role, a password file that is not there) leaves no empty hub
		// behind to be served by mistake. Deferred before Close, so it
		// runs after it.
		defer func() {
			if err != nil {
				removeHubFile(*db)
			}
		}()
	}
	// Only add makes a hub, as a first state administrator of a new
	// file does: the rest, run on a database named by mistake, would give
	// it the hub's tables and find no users there.
	if verb != "add" {
		if err := pgHubExists(*db, *passwordDB); err != nil {
			return fmt.Errorf("%s: %w", name, passwordRefused(err, *db, "--db-password-file", *passwordDB))
		}
	}
	ctx := context.Background()
	h, err := openHub(ctx, *db, *passwordDB)
	if err != nil {
		return fmt.Errorf("%s: %w", name, passwordRefused(err, *db, "--db-password-file", *passwordDB))
	}
	defer h.Close()
	reportOpening(h, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	actor := operator()
	switch verb {
	case "add":
		u := data.User{Username: *username, FullName: *fullName, Role: *role, RegionCode: *region}
		if err := placeUser(&u, districts, true); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := unusedName(ctx, h, u.Username); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		hash, err := readPassword(*passwordFile, u.Username)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := h.SaveAccount(ctx, actor, hub.Account{User: u, PasswordHash: hash}); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(out, "added %s (%s, %s)\n", u.Username, u.FullName, data.RoleName(u.Role))
	case "edit":
		a, err := h.Account(ctx, *username)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		u, set := a.User, map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if set["name"] {
			u.FullName = *fullName
		}
		if set["role"] {
			u.Role = *role
		}
		if set["region"] {
			u.RegionCode = *region
		}
		if !set["district"] {
			districts = append(slices.Clone(u.Districts), u.DistrictNumber)
		}
		if err := placeUser(&u, slices.DeleteFunc(districts, func(d string) bool { return d == "" }), set["district"]); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		// The password and whether the account is disabled stay.
		switch err := h.SaveAccount(ctx, actor, hub.Account{User: u}); {
		case errors.Is(err, hub.ErrUnchanged):
			fmt.Fprintf(out, "%s is %s (%s%s) already; nothing changed\n", u.Username, u.FullName, data.RoleName(u.Role), where(u))
			return nil
		case err != nil:
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(out, "changed %s (%s, %s%s); their workstations take what the user now sees at their next sync\n",
			u.Username, u.FullName, data.RoleName(u.Role), where(u))
	case "passwd":
		a, err := h.Account(ctx, *username)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		hash, err := readPassword(*passwordFile, *username)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := h.SetPassword(ctx, actor, *username, hash); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(out, "changed the password of %s; their sign-ins have ended\n", *username)
		// A user who cannot sign in is often given a new password when
		// the account is what was disabled.
		if a.Disabled {
			fmt.Fprintf(out, "%s is disabled and still cannot sign in: hub user enable --username %s lets them\n", *username, *username)
		}
	case "disable", "enable":
		change, done := h.Disable, fmt.Sprintf("disabled %s; their sign-ins have ended", *username)
		if verb == "enable" {
			change, done = h.Enable, fmt.Sprintf("enabled %s: they sign in with the password they had (hub user passwd sets a new one)", *username)
		}
		// The hub finds a user disabled or enabled already as it writes,
		// and writes nothing, the audit row included.
		switch err := change(ctx, actor, *username); {
		case errors.Is(err, hub.ErrUnchanged):
			fmt.Fprintf(out, "%s is %sd already; nothing changed\n", *username, verb)
		case err != nil:
			return fmt.Errorf("%s: %w", name, err)
		default:
			fmt.Fprintln(out, done)
		}
	case "grant", "revoke":
		if len(districts) != 1 {
			return fmt.Errorf("%s: give one --district", name)
		}
		return setGrant(ctx, h, name, actor, *username, districts[0], verb == "grant", out)
	case "list":
		return listAccounts(ctx, h, *asJSON, out)
	}
	return nil
}

// setGrant grants or revokes username the QA Migrant report of district,
// as the command name. The hub answers a grant held already, or a revoke
// of one not held, with hub.ErrUnchanged and writes nothing: a grant held
// is what the operator wanted, but a revoke of one not held is most
// often a mistyped district, and fails naming the grants the user holds,
// so that the operator does not read that access was taken away while
// the grant they meant stays.
func setGrant(ctx context.Context, h hub.Store, name, actor, username, district string, grant bool, out io.Writer) error {
	if _, err := h.Account(ctx, username); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	err := h.SetGrant(ctx, data.Operator(actor), username, district, grant)
	switch {
	case grant && errors.Is(err, hub.ErrUnchanged):
		fmt.Fprintf(out, "%s may run the QA Migrant report of district %s already; nothing changed\n", username, district)
	case errors.Is(err, hub.ErrUnchanged):
		held, err := h.ReportGrants(ctx, username)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return fmt.Errorf("%s: %s holds no grant of the QA Migrant report of district %s (%s); nothing revoked", name, username, district, grantsText(held))
	case err != nil:
		return fmt.Errorf("%s: %w", name, err)
	case grant:
		fmt.Fprintf(out, "granted %s the QA Migrant report of district %s\n", username, district)
	default:
		fmt.Fprintf(out, "revoked %s the QA Migrant report of district %s\n", username, district)
	}
	return nil
}

// grantsText says which districts' reports a user may run.
func grantsText(held []string) string {
	if len(held) == 0 {
		return "they hold none"
	}
	return "they hold those of " + strings.Join(held, ", ")
}

// unusedName refuses a new user's name that is taken, or that differs
// from a name taken only in case: user names are kept as typed, but
// "Maria" beside "maria" reads as one person.
func unusedName(ctx context.Context, h hub.Store, username string) error {
	accounts, err := h.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		switch {
		case a.Username == username:
			return fmt.Errorf("user %s exists already; use hub user passwd to change the password", username)
		case strings.EqualFold(a.Username, username):
			return fmt.Errorf("user %s exists already, as %s: user names must differ in more than case", username, a.Username)
		}
	}
	return nil
}

// removeHubFile removes a SQLite hub file and the journal files SQLite
// keeps beside it.
func removeHubFile(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

// placeUser gives u the districts its role takes (a coordinator's, or a
// district administrator's one), drops what the role does not take, and
// validates it; given says the districts were named on the command line,
// where a role that takes none refuses them.
func placeUser(u *data.User, districts []string, given bool) error {
	u.Districts, u.DistrictNumber = nil, ""
	switch u.Role {
	case data.RoleCoordinator:
		u.RegionCode, u.Districts = "", districts
	case data.RoleDistrictAdmin:
		if len(districts) != 1 {
			return errors.New("a district administrator has exactly one --district")
		}
		u.RegionCode, u.DistrictNumber = "", districts[0]
	default:
		if given && len(districts) > 0 {
			return errors.New("--district is for coordinators and district administrators")
		}
		if u.Role != data.RoleClerk {
			u.RegionCode = ""
		}
	}
	return u.Validate()
}

// where says where a user works, for the command's answer.
func where(u data.User) string {
	if p := u.Place(); p != "" {
		return ", " + p
	}
	return ""
}

// readPassword reads a new password from a file (its first line) or, with
// no file, from the terminal without echo, twice; and hashes it.
func readPassword(file, username string) (string, error) {
	var pw string
	if file != "" {
		var err error
		if pw, err = readSecret(file); err != nil {
			return "", err
		}
	} else {
		fd := int(os.Stdin.Fd())
		if !term.IsTerminal(fd) {
			return "", errors.New("give --password-file FILE: there is no terminal to ask for the password")
		}
		fmt.Fprintf(os.Stderr, "New password for %s: ", username)
		first, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(os.Stderr, "Again: ")
		again, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		if string(first) != string(again) {
			return "", errors.New("the two passwords differ")
		}
		pw = string(first)
	}
	return argon2id.HashPassword(pw)
}

func listAccounts(ctx context.Context, h hub.Store, asJSON bool, out io.Writer) error {
	as, err := h.Accounts(ctx)
	if err != nil {
		return err
	}
	grants := make([][]string, len(as))
	for i, a := range as {
		held, err := h.ReportGrants(ctx, a.Username)
		if err != nil {
			return err
		}
		grants[i] = append([]string{}, held...)
	}
	if asJSON {
		type row struct {
			sync.UserInfo
			Disabled     bool     `json:"disabled"`
			HasPassword  bool     `json:"has_password"`
			ReportGrants []string `json:"report_grants"`
		}
		rows := make([]row, len(as))
		for i, a := range as {
			rows[i] = row{sync.UserInfoOf(a.User), a.Disabled, a.PasswordHash != "", grants[i]}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tWHERE\tREPORT\tSTATE")
	for i, a := range as {
		where := a.RegionCode + a.DistrictNumber + strings.Join(a.Districts, ",")
		state := "active"
		switch {
		case a.Disabled:
			state = "disabled"
		case a.PasswordHash == "":
			state = "no password"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Username, a.FullName, data.RoleName(a.Role), where, strings.Join(grants[i], ","), state)
	}
	return tw.Flush()
}
