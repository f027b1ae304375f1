package sync

import (
	"time"

	"migrantdesk/data"
)

// SignInRequest is the body of /v1/signin.
type SignInRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// SignInResponse is the answer to a successful sign-in: the token for the
// Authorization header and who the hub says the user is.
type SignInResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      UserInfo  `json:"user"`
	// Hub names the hub's database (hub.Store's Identity): the same
	// across its backups, restores and moves, another for another hub.
	// Empty from a hub whose audit log is empty, or older than the name.
	Hub string `json:"hub,omitempty"`
}

// UserInfo is a user as the workstation keeps it.
type UserInfo struct {
	Username       string   `json:"username"`
	FullName       string   `json:"full_name"`
	Role           string   `json:"role"`
	RegionCode     string   `json:"region_code,omitempty"`
	DistrictNumber string   `json:"district_number,omitempty"`
	Districts      []string `json:"districts,omitempty"`
	Email          string   `json:"email,omitempty"`
}

// UserInfoOf is the user as the wire carries it.
func UserInfoOf(u data.User) UserInfo {
	return UserInfo{Username: u.Username, FullName: u.FullName, Role: u.Role, RegionCode: u.RegionCode,
		DistrictNumber: u.DistrictNumber, Districts: u.Districts, Email: u.Email}
}

// User is the wire's user as data/'s.
func (i UserInfo) User() data.User {
	return data.User{Username: i.Username, FullName: i.FullName, Role: i.Role, RegionCode: i.RegionCode,
		DistrictNumber: i.DistrictNumber, Districts: i.Districts, Email: i.Email}
}
