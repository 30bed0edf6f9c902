"""The app's screens: main, MFA, help, Switch role."""
