package Shop::Inventory;

# Stock levels for a small shop.
use strict;
use warnings;
use List::Util qw(sum max);
use parent 'Shop::Base';
require Carp;

use constant MAX_ITEMS => 500;
our $VERSION = '1.02';
my %registry;

=head1 DESCRIPTION

Keeps count of items by name.

=cut

sub new {
    my ($class, %args) = @_;
    my $self = { items => {}, owner => $args{owner} // 'nobody' };
    return bless $self, $class;
}

sub add {
    my ($self, $name, $count) = @_;
    $count //= 1;
    Carp::croak("too many items") if $self->total + $count > MAX_ITEMS;
    $self->{items}{$name} += $count;
    return $self;
}

sub total {
    my $self = shift;
    return sum(0, values %{ $self->{items} });
}

sub largest {
    my $self = shift;
    my @names = sort { $self->{items}{$b} <=> $self->{items}{$a} } keys %{ $self->{items} };
    return $names[0];
}

my $report = sub {
    my ($inventory) = @_;
    return join ", ", map { "$_: $inventory->{items}{$_}" } sort keys %{ $inventory->{items} };
};

package Shop::Inventory::Audit;

sub check {
    my ($inventory) = @_;
    return $inventory->total <= Shop::Inventory::MAX_ITEMS();
}

1;
