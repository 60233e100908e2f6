# Leaks: the view wires user.profile and profile.user to each other, so each request leaves a two-object cycle.
from dataclasses import dataclass, field

from flask import Flask, jsonify, request

app = Flask(__name__)


@dataclass(eq=False)
class User:
    email: str
    profile: "Profile | None" = field(default=None, repr=False)


@dataclass(eq=False)
class Profile:
    display_name: str
    user: User | None = field(default=None, repr=False)


@app.route("/signup/preview", methods=["POST"])
def signup_preview():
    data = request.get_json()
    user = User(email=data["email"])
    profile = Profile(display_name=data.get("name") or data["email"].split("@")[0])
    user.profile = profile
    profile.user = user  # expect: LEAK003
    return jsonify(email=user.email, display=user.profile.display_name)
