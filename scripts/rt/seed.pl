#!/usr/bin/perl
# Seeds Backline's test RT (run by scripts/rt/rt.sh after `rt-setup-database --action init`, with
# RT_SITE_CONFIG and RT_SITE_CONFIG_DIR set): a queue the engineer works in, one it cannot see,
# users, tickets, and auth tokens. RT keeps only a token's hash, so the clear token is written to
# <state dir>/<user>.token (0600) for the tests. Usage: perl -I/usr/share/request-tracker5/lib seed.pl DIR
use strict;
use warnings;
use RT;
RT::LoadConfig();
RT::Init();

my $dir = shift or die "usage: seed.pl STATE_DIR\n";
my $system = RT->SystemUser;

sub check { my ($what, $ok, $msg) = @_; die "$what: $msg\n" unless $ok; return $ok; }

sub queue {
  my ($name) = @_;
  my $q = RT::Queue->new($system);
  check("queue $name", $q->Create(Name => $name, Description => "Backline test queue $name"));
  return $q;
}

sub user {
  my (%args) = @_;
  my $u = RT::User->new($system);
  check("user $args{Name}", $u->Create(%args));
  return $u;
}

my $work   = queue('Backline Test');
my $hidden = queue('Hidden');

my $engineer  = user(Name => 'engineer',  RealName => 'Erin Engineer',  EmailAddress => 'engineer@backline.test',  Privileged => 1);
my $colleague = user(Name => 'colleague', RealName => 'Colin Colleague', EmailAddress => 'colleague@backline.test', Privileged => 1);
my $noright   = user(Name => 'noright',   RealName => 'Nora Noright',   EmailAddress => 'noright@backline.test',   Privileged => 1);

# What an escalation engineer has on the queue it works in; nothing at all on "Hidden".
for my $who ($engineer, $colleague) {
  for my $right (qw(SeeQueue ShowTicket CreateTicket CommentOnTicket ReplyToTicket ModifyTicket OwnTicket ShowTicketComments ShowOutgoingEmail SeeCustomField)) {
    check("grant $right", $who->PrincipalObj->GrantRight(Right => $right, Object => $work));
  }
}

sub ticket {
  my (%args) = @_;
  my $t = RT::Ticket->new($system);
  my ($id, undef, $msg) = $t->Create(
    Queue     => $args{Queue}->Id,
    Subject   => $args{Subject},
    Owner     => $args{Owner}->Id,
    Requestor => $args{Requestor},
    Status    => $args{Status},
    MIMEObj   => MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8', Data => [$args{Body}]),
  );
  check("ticket $args{Subject}", $id, $msg);
  return $id;
}

my @made = (
  ticket(Queue => $work, Subject => 'Site down after PHP upgrade', Owner => $engineer, Requestor => ['alice@customer.test'], Status => 'open',
    Body => "Since this morning's upgrade shop.example.com answers 500.\n"),
  ticket(Queue => $work, Subject => 'Mail queue stuck on web2', Owner => $engineer, Requestor => ['bob@customer.test', 'ops@customer.test'], Status => 'new',
    Body => "Outgoing mail has not left since 03:00.\n"),
  ticket(Queue => $work, Subject => 'Disk full on db1 (done)', Owner => $engineer, Requestor => ['carol@customer.test'], Status => 'resolved',
    Body => "Resolved last week.\n"),
  ticket(Queue => $work, Subject => 'Colleague\'s ticket', Owner => $colleague, Requestor => ['dave@customer.test'], Status => 'open',
    Body => "Not mine.\n"),
  ticket(Queue => $hidden, Subject => 'Invisible to the engineer', Owner => RT->Nobody, Requestor => ['erin@customer.test'], Status => 'open',
    Body => "Secret.\n"),
);

for my $who ($engineer, $noright) {
  # As the system user: a user making its own token needs ManageAuthTokens, which these test users lack.
  my $token = RT::AuthToken->new($system);
  my ($id, $msg, $clear) = $token->Create(Owner => $who->Id, Description => 'Backline tests');
  check('token for ' . $who->Name, $id, $msg);
  my $file = "$dir/" . $who->Name . '.token';
  umask 0077;
  open(my $fh, '>', $file) or die "$file: $!\n";
  print $fh "$clear\n";
  close $fh;
}

print "queues 'Backline Test', 'Hidden'; users engineer, colleague, noright; tickets @made; tokens in $dir\n";
