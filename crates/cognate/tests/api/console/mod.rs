//! The web console over HTTP, as a browser uses it (cookies kept, redirects not followed):
//! sign-in with the admin credentials, the CSRF token every form needs, lockout, sign-out
//! that ends the session everywhere, and the pools it shows.

mod signin;
