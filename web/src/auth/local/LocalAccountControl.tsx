import { Link, useNavigate } from "react-router";
import { useAuth } from "../auth.ts";
import { Avatar } from "../../components/Avatar.tsx";
import { usePublicProfileQuery } from "../../data/profiles/index.ts";
import { displayName } from "../../lib/names.ts";
import { useLocalSession } from "./LocalAuthProvider.tsx";
import "./LocalAccountControl.css";

/** The header's account control in local mode. */
export function LocalAccountControl() {
  const { userId } = useLocalSession();
  if (!userId) {
    return (
      <Link className="button button--primary" to="/sign-in">
        Sign in
      </Link>
    );
  }
  return <SignedInAs userId={userId} />;
}

function SignedInAs({ userId }: { userId: string }) {
  const { signOut } = useLocalSession();
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const profile = usePublicProfileQuery(userId);
  const name = profile.data ? displayName(profile.data) : userId;
  return (
    <div className="account">
      <Link className="account__who" to="/me" title={`Signed in as ${name}`}>
        <Avatar src={profile.data?.image_url ?? null} name={name} size="small" />
        <span className="account__name">{name}</span>
      </Link>
      {isAdmin ? (
        <span className="badge badge--admin" title="This local token carries metadata.role = admin">
          Admin
        </span>
      ) : null}
      <button
        type="button"
        className="button button--quiet"
        onClick={() => {
          signOut();
          navigate("/");
        }}
      >
        Sign out
      </button>
    </div>
  );
}
